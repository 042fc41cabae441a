package dev.tickroom.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.redirect;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator endpoints, read-only (GET only): {@code /metrics} (Prometheus), {@code /api/status} (the
 * dashboard's feed, the same document as {@code /admin/status}) and the dashboard's pages. Served on the
 * management port; never on the public port unless a bearer token is configured (see {@link WebRoutes}).
 */
public final class OpsRoutes {
  /** The dashboard's files in the jar's {@code web/} folder: dashboard.html, dashboard.js and any dashboard-*. */
  static final Pattern DASHBOARD_FILE = Pattern.compile("dashboard[A-Za-z0-9_.-]*\\.(?:html|js|css)");

  private OpsRoutes() {}

  /** {@code /metrics} and {@code /api/status}. */
  public static Route data(Ops ops) {
    return get(() -> concat(
        path("metrics", () -> ops.metrics() == null ? notReady() : complete(HttpEntities.create(
            ContentTypes.create(MediaTypes.TEXT_PLAIN, HttpCharsets.UTF_8), ops.metrics().scrape()))),
        pathPrefix("api", () -> path("status", () -> status(ops)))));
  }

  /** The status document of {@code /api/status} and {@code /admin/status}. */
  static Route status(Ops ops) {
    ClusterStatus status = ops.status();
    if (status == null) return notReady();
    return onSuccess(status.json(), json -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.toString())));
  }

  /** Everything an operator reads: data plus the dashboard ({@code /} redirects to it). */
  public static Route all(Ops ops) {
    return concat(data(ops), get(() -> respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () -> concat(
        pathSingleSlash(() -> redirect(Uri.create("dashboard.html"), StatusCodes.FOUND)),
        path(PathMatchers.segment(DASHBOARD_FILE), file -> getFromResource("web/" + file)),
        path("style.css", () -> getFromResource("web/style.css"))))));
  }

  private static Route notReady() {
    return complete(StatusCodes.SERVICE_UNAVAILABLE, "the node is still starting");
  }
}
