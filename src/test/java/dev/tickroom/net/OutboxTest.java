package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    Outbox box = Outbox.of(state(1)).add(chat).add(state(2)).add(state(3));
    assertEquals(List.of(chat, state(3)), box.messages());
    assertEquals(2, box.conflated());
  }

  @Test
  void statesDoNotCountAsWaitingMessages() {
    Outbox box = Outbox.of(new ServerMessage.Left("r"));
    box.add(new ServerMessage.Left("r")).add(new ServerMessage.Left("r"));
    for (int i = 0; i < 100; i++) box.add(state(i));
    assertEquals(3, box.others());
    assertEquals(4, box.messages().size());
    assertEquals(99, box.conflated());
  }

  @Test
  void writesOneLinePerMessage() {
    Outbox box = Outbox.of(new ServerMessage.Left("a")).add(new ServerMessage.Left("b"));
    assertEquals("{\"type\":\"left\",\"room\":\"a\"}\n{\"type\":\"left\",\"room\":\"b\"}\n", box.toLines().utf8String());
    assertEquals("{\"type\":\"left\",\"room\":\"a\"}\n", Outbox.of(new ServerMessage.Left("a")).toLines().utf8String());
  }
}
