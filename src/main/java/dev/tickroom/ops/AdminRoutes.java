package dev.tickroom.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** Adds {@code GET /admin/status} (see {@link ClusterStatus}) to the Pekko Management HTTP port. */
public final class AdminRoutes implements ManagementRouteProvider {
  private final ClusterStatus status;

  public AdminRoutes(ExtendedActorSystem system) {
    Config c = system.settings().config();
    this.status = new ClusterStatus(Adapter.toTyped(system), c.getDuration("tickroom.ask-timeout"));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return pathPrefix("admin", () -> path("status", () -> get(() ->
        onSuccess(status.json(), json -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.toString()))))));
  }
}
