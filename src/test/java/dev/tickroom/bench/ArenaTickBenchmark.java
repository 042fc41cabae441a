package dev.tickroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Input;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.games.arena.ArenaGame;
import dev.tickroom.games.arena.ArenaState;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ClientMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One arena tick of a full room (10 players, each with one input, as under arena-load), and the view
 * encoding the room does once per tick for all members. Run:
 * {@code mvn -B -ntp -Pjmh test-compile -Djmh.args="ArenaTickBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ArenaTickBenchmark {
  private static final int INPUT_SETS = 64;

  private final ArenaGame game = new ArenaGame();
  private ArenaState state;
  private final List<List<Input>> inputSets = new ArrayList<>();
  private long tick;

  @Setup
  public void setup() {
    state = game.create(RoomSeed.of("bench-42", 42));
    List<PlayerId> players = new ArrayList<>();
    for (int i = 0; i < ArenaGame.MAX_PLAYERS; i++) {
      PlayerId id = PlayerId.of("player-" + i);
      players.add(id);
      state = game.join(state, id, "bot-" + i).state();
    }
    // inputs as the codec makes them from the wire (data is a Jackson tree), random directions
    SplittableRandom random = new SplittableRandom(7);
    long seq = 0;
    for (int k = 0; k < INPUT_SETS; k++) {
      List<Input> set = new ArrayList<>();
      for (PlayerId p : players) {
        String line = "{\"type\":\"input\",\"seq\":" + (++seq) + ",\"data\":{\"dx\":" + (random.nextInt(3) - 1)
            + ",\"dy\":" + (random.nextInt(3) - 1) + "}}";
        JsonNode data = ((ClientMessage.Input) Codec.decode(line)).data();
        set.add(new Input(p, seq, data));
      }
      inputSets.add(set);
    }
    // consecutive encoded views, for the diff alone
    ArenaState s = state;
    for (int k = 0; k < VIEWS; k++) {
      s = game.tick(s, k + 1, inputSets.get(k % INPUT_SETS)).state();
      views[k] = Codec.writeJson(game.view(s, null));
    }
    for (int r = 0; r < ROOMS; r++) {
      lines[r] = new dev.tickroom.protocol.ViewDiff();
      roomViews[r] = new byte[VIEWS][];
      for (int k = 0; k < VIEWS; k++) roomViews[r][k] = views[k].clone();
    }
  }

  private static final int VIEWS = 64;
  private static final int ROOMS = 100;
  private final dev.tickroom.protocol.ViewDiff[] lines = new dev.tickroom.protocol.ViewDiff[ROOMS];
  private final byte[][][] roomViews = new byte[ROOMS][][];
  private int roomAt;
  private int roomTick;

  /**
   * {@link #diffView} as a node of 100 rooms does it, one room after the other, each with its own line and
   * view bytes: what the room's data costs when it is no longer in the CPU's caches.
   */
  @Benchmark
  public dev.tickroom.protocol.ViewDiff.Frame diffViewOf100Rooms() {
    if (++roomAt == ROOMS) {
      roomAt = 0;
      roomTick = (roomTick + 1) % VIEWS;
    }
    return lines[roomAt].next(roomViews[roomAt][roomTick]);
  }
  private final byte[][] views = new byte[VIEWS][];
  private int viewAt;

  /** The merge patch alone: index the next encoded view and diff it with the one before. */
  @Benchmark
  public dev.tickroom.protocol.ViewDiff.Frame diffView() {
    viewAt = (viewAt + 1) % VIEWS; // the wrap from the last view to the first is 1 diff in 64 of a bigger change
    return line.next(views[viewAt]);
  }

  @Benchmark
  public Step<ArenaState> tick() {
    tick++;
    return game.tick(state, tick, inputSets.get((int) (tick % INPUT_SETS)));
  }

  @Benchmark
  public byte[] encodeView() {
    return Codec.writeJson(game.view(state, null));
  }

  /** What a room does per tick before fanning out: tick, then encode the shared view once. */
  @Benchmark
  public byte[] tickAndEncodeView() {
    tick++;
    state = game.tick(state, tick, inputSets.get((int) (tick % INPUT_SETS))).state();
    return Codec.writeJson(game.view(state, null));
  }

  private final dev.tickroom.protocol.ViewDiff line = new dev.tickroom.protocol.ViewDiff();

  /**
   * What a room of {@code patch} members does per tick on top of {@link #tickAndEncodeView}: the view's
   * merge patch from the view before (parse the encoded view, diff, write the patch).
   */
  @Benchmark
  public dev.tickroom.protocol.ViewDiff.Frame tickEncodeAndDiffView() {
    tick++;
    state = game.tick(state, tick, inputSets.get((int) (tick % INPUT_SETS))).state();
    return line.next(Codec.writeJson(game.view(state, null)));
  }
}
