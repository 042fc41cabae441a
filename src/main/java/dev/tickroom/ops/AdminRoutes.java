package dev.tickroom.ops;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The operator endpoints on the Pekko Management HTTP port (registered under
 * {@code pekko.management.http.routes}): {@code GET /admin/status} (see {@link ClusterStatus}), and
 * {@code /metrics}, {@code /api/status} and the dashboard ({@link OpsRoutes}). All read-only.
 */
public final class AdminRoutes implements ManagementRouteProvider {
  private final Ops ops;

  public AdminRoutes(ExtendedActorSystem system) {
    this.ops = Ops.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return concat(
        pathPrefix("admin", () -> path("status", () -> get(() -> OpsRoutes.status(ops)))),
        OpsRoutes.all(ops));
  }
}
