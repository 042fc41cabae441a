package dev.tickroom.player;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The sessions alive on this node, by transport: for counts (admin view, metrics) and to reach every
 * client when the node leaves. Thread-safe.
 */
public final class SessionRegistry {
  private final Map<ActorRef<PlayerSession.Command>, String> sessions = new ConcurrentHashMap<>();
  private volatile CompletableFuture<Void> empty;

  public void register(ActorRef<PlayerSession.Command> session, String transport) {
    sessions.put(session, transport);
  }

  public void unregister(ActorRef<PlayerSession.Command> session) {
    sessions.remove(session);
    CompletableFuture<Void> e = empty;
    if (e != null && sessions.isEmpty()) e.complete(null);
  }

  public int count(String transport) {
    int n = 0;
    for (String t : sessions.values()) if (t.equals(transport)) n++;
    return n;
  }

  public int count() {
    return sessions.size();
  }

  public void tellAll(PlayerSession.Command message) {
    sessions.keySet().forEach(s -> s.tell(message));
  }

  /** Completes once no session is left. */
  public CompletionStage<Void> whenEmpty() {
    CompletableFuture<Void> e = new CompletableFuture<>();
    empty = e;
    if (sessions.isEmpty()) e.complete(null);
    return e;
  }
}
