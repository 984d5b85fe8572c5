// SPDX-License-Identifier: GPL-2.0
// Loupe's java-httpserver: a fixed text on the port given.
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;

public class HttpServerApp {
	public static void main(String[] args) throws Exception {
		HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 16);
		s.createContext("/", ex -> {
			byte[] b = "Hello from the JVM\n".getBytes();
			ex.sendResponseHeaders(200, b.length);
			try (OutputStream o = ex.getResponseBody()) {
				o.write(b);
			}
		});
		s.start();
	}
}
