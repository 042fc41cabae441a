package dev.tickroom.room;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;

/**
 * Saved bytes of room messages and snapshots, so a test can check that a node still reads what an earlier
 * release wrote. Each fixture is three files under {@code src/test/resources/formats/<release>/}: the bytes
 * ({@code .bin}), the serializer id and the manifest ({@code .meta}, two lines).
 */
final class FormatFixtures {
  private FormatFixtures() {}

  static void write(ActorTestKit kit, Path dir, String name, Object message) throws Exception {
    Serialization ser = SerializationExtension.get(kit.system());
    var serializer = ser.findSerializerFor(message);
    byte[] bytes = ser.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".bin"), bytes);
    Files.writeString(dir.resolve(name + ".meta"), serializer.identifier() + "\n" + manifest + "\n");
  }

  static Object read(ActorTestKit kit, String release, String name) throws Exception {
    String base = "/formats/" + release + "/" + name;
    byte[] bytes;
    String meta;
    try (var in = FormatFixtures.class.getResourceAsStream(base + ".bin")) {
      bytes = in.readAllBytes();
    }
    try (var in = FormatFixtures.class.getResourceAsStream(base + ".meta")) {
      meta = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[] lines = meta.split("\n");
    return SerializationExtension.get(kit.system())
        .deserialize(bytes, Integer.parseInt(lines[0].trim()), lines[1].trim()).get();
  }

  static ActorTestKit kit() {
    return ActorTestKit.create("fixtures", ConfigFactory.parseString("pekko.actor.provider = cluster\n"
        + "pekko.remote.artery.canonical.port = 0").withFallback(ConfigFactory.load("application-test")));
  }
}
