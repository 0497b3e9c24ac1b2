// Oracle renders Velocity templates with Apache Velocity 1.7 over a JSON
// context, as the reference for Portico's internal/vtl differential tests.
//
// One-shot:    java -cp velocity.jar:commons-collections3.jar:commons-lang.jar Oracle.java TEMPLATE [CONTEXT.json]
// Server mode: java -cp ... Oracle.java -serve
//   reads cases from stdin, each "<templateBytes> <contextBytes>\n" followed
//   by the template and the JSON context (UTF-8); answers each with
//   "OK <n>\n" or "ERR <n>\n" followed by n bytes of output or message.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class Oracle {
    public static void main(String[] args) throws Exception {
        VelocityEngine ve = new VelocityEngine();
        ve.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        // Inline macros stay local to the case that defines them.
        ve.setProperty("velocimacro.permissions.allow.inline.local.scope", "true");
        ve.init();
        if (args.length >= 1 && args[0].equals("-serve")) {
            serve(ve);
            return;
        }
        if (args.length < 1) {
            System.err.println("usage: Oracle TEMPLATE [CONTEXT.json] | -serve");
            System.exit(2);
        }
        String tpl = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
        String ctx = args.length > 1 ? new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8) : "{}";
        Result r = render(ve, tpl, ctx, "oneshot");
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        if (r.ok) {
            out.print(r.text);
        } else {
            System.err.println(r.text);
            System.exit(1);
        }
    }

    static final class Result {
        final boolean ok;
        final String text;
        Result(boolean ok, String text) { this.ok = ok; this.text = text; }
    }

    static Result render(VelocityEngine ve, String tpl, String ctxJSON, String name) {
        try {
            Object root = new Json(ctxJSON).parse();
            VelocityContext ctx = new VelocityContext();
            if (root instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
                    if (e.getValue() != null) ctx.put((String) e.getKey(), e.getValue());
                }
            }
            StringWriter w = new StringWriter();
            ve.evaluate(ctx, w, name, tpl);
            return new Result(true, w.toString());
        } catch (Throwable t) {
            return new Result(false, t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    static void serve(VelocityEngine ve) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        OutputStream out = new BufferedOutputStream(System.out);
        int n = 0;
        for (;;) {
            String header = readLine(in);
            if (header == null) break;
            header = header.trim();
            if (header.isEmpty()) continue;
            String[] parts = header.split(" ");
            byte[] tpl = new byte[Integer.parseInt(parts[0])];
            byte[] ctx = new byte[Integer.parseInt(parts[1])];
            in.readFully(tpl);
            in.readFully(ctx);
            n++;
            Result r = render(ve, new String(tpl, StandardCharsets.UTF_8),
                    new String(ctx, StandardCharsets.UTF_8), "case" + n);
            byte[] body = r.text.getBytes(StandardCharsets.UTF_8);
            out.write(((r.ok ? "OK " : "ERR ") + body.length + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
        }
    }

    static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return b.toString("UTF-8");
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString("UTF-8");
    }

    // Json is a small JSON reader producing LinkedHashMap, ArrayList, String,
    // Integer/Long (integers), Double (decimals), Boolean and null: the Java
    // types API Gateway's templates see.
    static final class Json {
        private final String s;
        private int i;
        Json(String s) { this.s = s; }

        Object parse() {
            ws();
            if (i >= s.length()) return null;
            Object v = value();
            ws();
            if (i != s.length()) throw new IllegalArgumentException("trailing data at " + i);
            return v;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            switch (c) {
            case '{': {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                for (;;) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect('}');
                    return m;
                }
            }
            case '[': {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                for (;;) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect(']');
                    return l;
                }
            }
            case '"':
                return string();
            case 't': i += 4; return Boolean.TRUE;
            case 'f': i += 5; return Boolean.FALSE;
            case 'n': i += 4; return null;
            default:
                return number();
            }
        }

        private void expect(char c) {
            if (s.charAt(i) != c) throw new IllegalArgumentException("expected " + c + " at " + i);
            i++;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            for (;;) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                default: b.append(e);
                }
            }
        }

        private Object number() {
            int st = i;
            boolean dec = false;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                if (".eE".indexOf(s.charAt(i)) >= 0) dec = true;
                i++;
            }
            String t = s.substring(st, i);
            if (dec) return Double.valueOf(t);
            long l = Long.parseLong(t);
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return Integer.valueOf((int) l);
            return Long.valueOf(l);
        }
    }
}
