package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tickroom.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private static final byte[] VIEW = "{}".getBytes(StandardCharsets.UTF_8);

  private static ServerMessage.State state(long tick) {
    return new ServerMessage.State("r", tick, -1, VIEW);
  }

  @Test
  void aNewerStateReplacesTheUnsentOneAndKeepsOthersInOrder() {
    ServerMessage chat = new ServerMessage.Chat("r", "p", "hi");
    Outbox box = Outbox.of(state(1), 10).add(chat).add(state(2)).add(state(3));
    assertEquals(List.of(chat, state(3)), box.messages());
    assertEquals(2, box.conflated());
  }

  @Test
  void tooManyWaitingMessagesMeanASlowClient() {
    Outbox box = Outbox.of(new ServerMessage.Left("r"), 3);
    box.add(new ServerMessage.Left("r")).add(new ServerMessage.Left("r"));
    for (int i = 0; i < 100; i++) box.add(state(i)); // states never count: they conflate
    assertThrows(Outbox.SlowClientException.class, () -> box.add(new ServerMessage.Left("r")));
  }

  @Test
  void writesOneLinePerMessage() {
    Outbox box = Outbox.of(new ServerMessage.Left("a"), 10).add(new ServerMessage.Left("b"));
    assertEquals("{\"type\":\"left\",\"room\":\"a\"}\n{\"type\":\"left\",\"room\":\"b\"}\n", box.toLines().utf8String());
    assertEquals("{\"type\":\"left\",\"room\":\"a\"}\n", Outbox.of(new ServerMessage.Left("a"), 10).toLines().utf8String());
  }
}
