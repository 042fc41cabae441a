package dev.tickroom.cluster;

/** Marker for every message that may cross nodes: bound to Pekko's jackson-cbor serializer in config. */
public interface CborSerializable {}
