package io.postwire.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks TCP ports on 127.0.0.1 that are free at the moment of asking.
 *
 * <p>The ports are released before they are returned, so another process can grab one in
 * between; callers that bind them later should retry with fresh ports on a bind failure.
 */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /** One port that was free a moment ago. */
    public static int free() {
        return pick(1)[0];
    }

    /** Returns {@code count} distinct ports that were free a moment ago. */
    static int[] pick(int count) {
        // All sockets stay open until every port is chosen; otherwise the kernel may hand
        // out the same ephemeral port twice.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a listening socket that never accepted cannot lose data.
                }
            }
        }
    }
}
