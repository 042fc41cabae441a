package dev.tickroom.room;

/** Where rooms announce themselves for {@code list_rooms} and quick joins (a replicated map in a cluster). */
public interface RoomListings {
  /** The room's members or label changed. */
  void publish(RoomListing listing);

  /** The room ended on this node (it may run again elsewhere, and then publishes again). */
  void remove(String roomId);

  /** This node's cluster address, which listings carry so entries of a lost node can be left out. */
  default String node() {
    return "";
  }

  RoomListings NONE = new RoomListings() {
    @Override
    public void publish(RoomListing listing) {}

    @Override
    public void remove(String roomId) {}
  };
}
