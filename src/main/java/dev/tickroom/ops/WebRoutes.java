package dev.tickroom.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The public HTTP port's pages besides {@code /ws}: the web demo (static files from the jar's {@code web/}
 * folder, the dashboard's excepted). Operator endpoints are not here: they are on the management port
 * ({@link AdminRoutes}). With {@code tickroom.ops.public-token} set, {@code /metrics} and
 * {@code /api/status} are also served here to requests that carry {@code Authorization: Bearer <token>}.
 */
public final class WebRoutes {
  private WebRoutes() {}

  /** @param publicToken the bearer token for operator data on this port; empty: none served here */
  public static Route routes(Ops ops, String publicToken) {
    Route demo = get(() -> respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () -> concat(
        pathSingleSlash(() -> getFromResource("web/index.html")),
        path(PathMatchers.segment(OpsRoutes.DASHBOARD_FILE), file -> complete(StatusCodes.NOT_FOUND,
            "the dashboard is on the management port")),
        getFromResourceDirectory("web"))));
    if (publicToken.isEmpty()) return demo;
    byte[] expected = ("Bearer " + publicToken).getBytes(StandardCharsets.UTF_8);
    Route refuse = respondWithHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "tickroom")),
        () -> complete(StatusCodes.UNAUTHORIZED, "operator endpoints need Authorization: Bearer <token>"));
    Route gate = extractRequest(req -> authorized(req, expected)
        ? OpsRoutes.data(ops)
        : concat(path("metrics", () -> refuse), pathPrefix("api", () -> path("status", () -> refuse))));
    return concat(gate, demo);
  }

  private static boolean authorized(HttpRequest req, byte[] expected) {
    String given = req.getHeader("Authorization").map(h -> h.value()).orElse("");
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected);
  }
}
