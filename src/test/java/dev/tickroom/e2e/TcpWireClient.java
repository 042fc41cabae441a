package dev.tickroom.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A blocking TCP client: newline-delimited JSON. */
public final class TcpWireClient implements WireClient {
  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  public TcpWireClient(InetSocketAddress address) {
    this(address, 0);
  }

  /** @param receiveBuffer SO_RCVBUF to ask for (0: the OS default); small to play a slow reader */
  public TcpWireClient(InetSocketAddress address, int receiveBuffer) {
    try {
      socket = new Socket();
      if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
      socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 5000);
      socket.setTcpNoDelay(true);
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new AssertionError("cannot connect to " + address, e);
    }
  }

  /** Over a socket already connected (e.g. a TLS socket). */
  public TcpWireClient(Socket connected) {
    try {
      socket = connected;
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new AssertionError("cannot use " + connected, e);
    }
  }

  /** From a given local address (e.g. 127.0.0.2: another client address on loopback). */
  public static TcpWireClient from(String localAddress, InetSocketAddress server) {
    try {
      Socket s = new Socket();
      s.bind(new InetSocketAddress(localAddress, 0));
      s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
      s.setTcpNoDelay(true);
      return new TcpWireClient(s);
    } catch (IOException e) {
      throw new AssertionError("cannot connect from " + localAddress + " to " + server, e);
    }
  }

  @Override
  public void send(String json) {
    sendRaw((json + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void sendAll(String... json) {
    sendRaw((String.join("\n", json) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new AssertionError("send failed", e);
    }
  }

  @Override
  public String nextRaw(Duration timeout) {
    try {
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      return in.readLine();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no message within " + timeout);
    } catch (SocketException e) {
      throw new AssertionError("connection reset: " + e.getMessage());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void abort() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
