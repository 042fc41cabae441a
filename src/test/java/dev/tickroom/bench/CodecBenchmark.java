package dev.tickroom.bench;

import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.games.arena.ArenaGame;
import dev.tickroom.games.arena.ArenaState;
import dev.tickroom.net.LineSplitter;
import dev.tickroom.net.Outbox;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The codec on the hot path: decoding the lines a client sends most (input, ping) and encoding the line a
 * member gets every tick (a {@code state} around the room's once-encoded view of a full 10-player arena).
 * Run: {@code mvn -B -ntp -Pjmh test-compile -Djmh.args="CodecBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  private byte[] inputLine;
  private byte[] pingLine;
  private ByteString inputChunk;
  private LineSplitter splitter;
  private byte[] view;
  private ServerMessage.State state;
  private long tick;

  @Setup
  public void setup() {
    inputLine = "{\"type\":\"input\",\"seq\":123456,\"data\":{\"dx\":1,\"dy\":-1}}".getBytes(StandardCharsets.UTF_8);
    pingLine = "{\"type\":\"ping\",\"t\":1234567890123}".getBytes(StandardCharsets.UTF_8);
    inputChunk = ByteString.fromArray((new String(inputLine, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
    splitter = new LineSplitter(65_536);
    ArenaGame game = new ArenaGame();
    ArenaState s = game.create(RoomSeed.of("bench-42", 42));
    for (int i = 0; i < ArenaGame.MAX_PLAYERS; i++) s = game.join(s, PlayerId.of("player-" + i), "bot-" + i).state();
    view = Codec.writeJson(game.view(s, null));
    state = new ServerMessage.State("bench-42", 1_234_567, 23_456, view);
  }

  @Benchmark
  public Decoded decodeInput() {
    return Codec.decode(inputLine);
  }

  @Benchmark
  public Decoded decodePing() {
    return Codec.decode(pingLine);
  }

  /** What the TCP gateway does per received chunk holding one input line: split, then decode. */
  @Benchmark
  public List<Decoded> splitAndDecodeInput() {
    return splitter.feed(inputChunk);
  }

  @Benchmark
  public byte[] encodeState() {
    return Codec.encodeState("bench-42", ++tick, 23_456, view);
  }

  /** What goes to the socket for one member per tick: the state line with its newline, as a ByteString. */
  @Benchmark
  public ByteString outboxStateLine() {
    return Outbox.of(state).toLines();
  }
}
