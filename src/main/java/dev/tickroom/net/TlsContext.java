package dev.tickroom.net;

import dev.tickroom.config.EdgeSettings;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The server's TLS context from the configured keystore (path and password from the environment). */
public final class TlsContext {
  private TlsContext() {}

  /** The context for both ports, or null when TLS is not configured. */
  public static SSLContext server(EdgeSettings.Tls tls) {
    if (!tls.enabled()) return null;
    Path path = Path.of(tls.keystore());
    char[] password = tls.keystorePassword().toCharArray();
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore ks = KeyStore.getInstance(tls.keystoreType());
      ks.load(in, password);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (Exception e) {
      // never the password in the message
      throw new IllegalStateException("cannot load the TLS keystore " + path + " (" + tls.keystoreType() + "): "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
