package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The v1.1 {@code auth} fields: {@code hello.token} and {@code welcome.features}. */
class AuthCodecTest {
  @Test
  void helloCarriesAStringTokenOfAtMost8KiB() {
    assertEquals(new ClientMessage.Hello("ann", null, "abc"), Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"token\":\"abc\"}"));
    assertEquals(new ClientMessage.Hello("ann", null, "x".repeat(8192)),
        Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"token\":\"" + "x".repeat(8192) + "\"}"));
    for (String bad : new String[] {"\"" + "x".repeat(8193) + "\"", "5", "{}"}) {
      Decoded d = Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"token\":" + bad + "}");
      assertEquals(ErrorCode.BAD_REQUEST, ((Decoded.Invalid) d).code(), bad.length() > 20 ? "long" : bad);
    }
    assertEquals(new ClientMessage.Hello("ann", null, null), Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"token\":null}"));
  }

  @Test
  void welcomeListsFeatures() throws Exception {
    JsonNode w = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Welcome("p1", "n1", "tok", Features.supported(true))));
    assertEquals(true, Codec.MAPPER.convertValue(w.get("features"), List.class).contains("auth"), w.toString());
    assertEquals(false, Features.supported(false).contains("auth"));
  }

  @Test
  void theTokenStaysOutOfLogs() {
    assertEquals(false, new ClientMessage.Hello("ann", "resume-secret", "jwt-secret").toString().contains("secret"));
  }
}
