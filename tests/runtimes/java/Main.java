// SPDX-License-Identifier: GPL-2.0
// A JVM program for tests/guest/runtimes_guest.sh: 16 threads, a
// NullPointerException the JVM raises from a SIGSEGV and the program
// catches, a child process through ProcessBuilder, and an HTTP server
// answering 40 requests from 8 client threads. Prints only what is the
// same in every run.
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

public class Main {
    static int length(String s) {
        return s.length();
    }

    public static void main(String[] args) throws Exception {
        long[] sums = new long[16];
        Thread[] threads = new Thread[16];
        for (int i = 0; i < threads.length; i++) {
            final int k = i;
            threads[i] = new Thread(() -> {
                long s = 0;
                for (int j = 0; j < 200000; j++)
                    s += (long) j * (k + 1) % 7919;
                sums[k] = s;
            });
            threads[i].start();
        }
        long total = 0;
        for (int i = 0; i < threads.length; i++) {
            threads[i].join();
            total += sums[i];
        }
        System.out.println("threads: 16, total " + total);

        // Compiled code's null check is a fault the JVM's SIGSEGV
        // handler turns into the exception: call it often enough to be
        // compiled, then once with null.
        int n = 0;
        for (int i = 0; i < 20000; i++)
            n += length("x");
        try {
            n += length(null);
        } catch (NullPointerException e) {
            System.out.println("caught NullPointerException after " + n);
        }

        Process p = new ProcessBuilder("/bin/sh", "-c", "echo from child; exit 3")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(),
                                StandardCharsets.UTF_8).trim();
        System.out.println("ProcessBuilder: '" + out + "' exit " + p.waitFor());

        HttpServer srv = HttpServer.create(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        AtomicInteger hits = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        srv.createContext("/", x -> {
            byte[] b = ("hello " + x.getRequestURI().getPath())
                    .getBytes(StandardCharsets.UTF_8);
            hits.incrementAndGet();
            x.sendResponseHeaders(200, b.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        });
        srv.setExecutor(pool);
        srv.start();
        int port = srv.getAddress().getPort();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            final int k = i;
            answers.add(clients.submit(() -> {
                HttpURLConnection c = (HttpURLConnection) new URL(
                        "http://127.0.0.1:" + port + "/r" + k).openConnection();
                try (InputStream in = c.getInputStream()) {
                    return c.getResponseCode() + " " + new String(
                            in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }));
        }
        int right = 0;
        for (int i = 0; i < answers.size(); i++)
            if (answers.get(i).get().equals("200 hello /r" + i))
                right++;
        System.out.println("http: " + right + "/40 answers right, server counted "
                           + hits.get());
        clients.shutdown();
        srv.stop(0);
        pool.shutdown();
        System.out.println("java done");
    }
}
