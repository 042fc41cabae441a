package dev.tickroom.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import dev.tickroom.metrics.Metrics;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's HTTP pages besides {@code /ws}: the web demo and dashboard (static files from the jar's
 * {@code web/} folder), {@code /api/status} for the dashboard and {@code /metrics} for Prometheus.
 */
public final class WebRoutes {
  private WebRoutes() {}

  public static Route routes(ClusterStatus status, Metrics metrics) {
    return get(() -> concat(
        path("metrics", () -> complete(HttpEntities.create(
            ContentTypes.create(MediaTypes.TEXT_PLAIN, HttpCharsets.UTF_8), metrics.scrape()))),
        pathPrefix("api", () -> path("status", () -> onSuccess(status.json(),
            json -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.toString()))))),
        respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () -> concat(
            pathSingleSlash(() -> getFromResource("web/index.html")),
            // the dashboard's chart library, from the echarts webjar on the classpath
            pathPrefix("vendor", () -> getFromResourceDirectory("META-INF/resources/webjars/echarts/5.3.1/dist")),
            getFromResourceDirectory("web")))));
  }
}
