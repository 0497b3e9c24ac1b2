// JsonPathOracle evaluates JSONPath expressions with Jayway "JSONPath for
// Java" (the engine API Gateway uses) so Portico's internal/jsonpath can be
// compared against it.
//
// Run with the Debian jars on the class path (see README.md):
//
//	java -cp "$CP" JsonPathOracle.java            # long-running: cases on stdin
//	java -cp "$CP" JsonPathOracle.java PATH DOC   # one case
//
// Protocol (long-running mode): each case is two lines on stdin, the path and
// then the document as one line of JSON. For each case one line is written:
//
//	OK <definite:true|false> <result as JSON>
//	NOMATCH <definite> <exception class>      evaluation threw (no match)
//	INVALID <exception class>                 the path does not compile
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import net.minidev.json.JSONStyle;
import net.minidev.json.JSONValue;

public class JsonPathOracle {
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        if (args.length == 2) {
            out.println(eval(args[0], args[1]));
            out.flush();
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (;;) {
            String path = in.readLine();
            if (path == null) {
                break;
            }
            String doc = in.readLine();
            if (doc == null) {
                break;
            }
            out.println(eval(path, doc));
            out.flush();
        }
    }

    static String eval(String path, String doc) {
        JsonPath p;
        try {
            p = JsonPath.compile(path);
        } catch (Throwable t) {
            return "INVALID " + t.getClass().getSimpleName();
        }
        boolean definite = p.isDefinite();
        try {
            Object parsed = Configuration.defaultConfiguration().jsonProvider().parse(doc);
            Object r = p.read(parsed, Configuration.defaultConfiguration());
            return "OK " + definite + " " + JSONValue.toJSONString(r, JSONStyle.NO_COMPRESS).replace("\n", "\\n");
        } catch (Throwable t) {
            return "NOMATCH " + definite + " " + t.getClass().getSimpleName();
        }
    }
}
