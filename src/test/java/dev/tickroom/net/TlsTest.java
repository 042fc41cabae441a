package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WebSocketWireClient;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both ports with a self-signed certificate made here by the JDK's keytool: a TLS client plays, a
 * plain-TCP client on the TLS port is refused without harming the node, and the WebSocket runs as WSS.
 */
@Timeout(120)
class TlsTest {
  static final String PASSWORD = "test-only-" + System.nanoTime();
  @TempDir
  static Path dir;
  static Node node;
  static SSLContext clientTls;

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("node.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);

    // the client trusts exactly that certificate
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      server.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = server.getCertificate("node");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("node", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    node = Node.start(ConfigFactory.parseMap(Map.of(
            "tickroom.tls.keystore", keystore.toString(),
            "tickroom.tls.keystore-password", PASSWORD))
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static TcpWireClient tlsClient() throws Exception {
    SSLSocket s = (SSLSocket) clientTls.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", node.gameAddress().getPort()), 5000);
    s.setTcpNoDelay(true);
    s.startHandshake();
    return new TcpWireClient(s);
  }

  @Test
  void aTlsClientPlaysARoundAndAPlainClientIsRefusedWithoutHarm() throws Exception {
    try (TcpWireClient ann = tlsClient(); TcpWireClient bob = tlsClient()) {
      ann.hello("ann");
      bob.hello("bob");
      assertEquals("joined", ann.join("tls-ttt", "tictactoe").get("type").asText());
      assertEquals("joined", bob.join("tls-ttt", "tictactoe").get("type").asText());
      ann.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"cell\":0}}");
      JsonNode state = ann.await(m -> "state".equals(m.path("type").asText()) && m.path("ack").asLong() >= 1);
      assertTrue(state.path("state").path("board").path(0).isTextual(), "ann's mark in cell 0: " + state);
      bob.awaitType("state");

      // a client that speaks plain TCP to the TLS port: no session, closed
      try (Socket plain = new Socket()) {
        plain.connect(new InetSocketAddress("127.0.0.1", node.gameAddress().getPort()), 5000);
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write("{\"type\":\"hello\",\"name\":\"plain\"}\n".getBytes(StandardCharsets.UTF_8));
        plain.getOutputStream().flush();
        byte[] buf = new byte[4096];
        int total = 0;
        try {
          for (int n; (n = plain.getInputStream().read(buf)) > 0; ) total += n;
        } catch (java.net.SocketException reset) {
          // a reset is a refusal too
        }
        String got = new String(buf, 0, Math.min(total, buf.length), StandardCharsets.ISO_8859_1);
        assertTrue(!got.contains("welcome"), "no welcome in plain text: " + got);
      }

      // the TLS clients keep playing
      bob.send("{\"type\":\"ping\",\"t\":7}");
      assertEquals(7, bob.await(m -> "pong".equals(m.path("type").asText())).get("t").asInt());
      bob.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"cell\":4}}");
      ann.await(m -> "state".equals(m.path("type").asText()) && m.path("state").path("board").path(4).isTextual());
    }
  }

  @Test
  void theWebSocketRunsAsWss() {
    HttpClient https = HttpClient.newBuilder().sslContext(clientTls).build();
    try (WebSocketWireClient c = new WebSocketWireClient(
        URI.create("wss://127.0.0.1:" + node.httpAddress().getPort() + "/ws"), https, Map.of())) {
      assertEquals("welcome", c.hello("secure").get("type").asText());
    }
  }
}
