package dev.tickroom.room;

/** Where rooms announce themselves for {@code list_rooms} and quick joins (a replicated map in a cluster). */
public interface RoomListings {
  /** The room's members or label changed. */
  void publish(RoomListing listing);

  /**
   * The room stopped on this node: {@code ended} when it is over for good (finished, empty, failed), false when
   * it moves to another node (where it publishes again).
   */
  void remove(RoomListing last, boolean ended);

  /** This node's cluster address, which listings carry so entries of a lost node can be left out. */
  default String node() {
    return "";
  }

  RoomListings NONE = new RoomListings() {
    @Override
    public void publish(RoomListing listing) {}

    @Override
    public void remove(RoomListing last, boolean ended) {}
  };
}
