package sabt.spark;

import java.nio.charset.StandardCharsets;

import org.apache.spark.sql.api.java.UDF2;

/**
 * Jaro-Winkler similarity exactly as DuckDB's {@code jaro_winkler_similarity} computes it, so a
 * model trained or scored on Spark sees the same comparison levels as on DuckDB.
 *
 * <p>Like DuckDB it compares the UTF-8 bytes of the two strings: the match window is half the
 * longer length less one, transpositions are half the out-of-order matches (rounded down), and
 * the Winkler boost (0.1 per common leading byte, at most 4) applies above a Jaro of 0.7. An
 * empty string scores 0 against anything; NULL gives NULL.
 */
public final class JaroWinkler implements UDF2<String, String, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(String left, String right) {
        if (left == null || right == null) {
            return null;
        }
        byte[] a = left.getBytes(StandardCharsets.UTF_8);
        byte[] b = right.getBytes(StandardCharsets.UTF_8);
        double sim = jaro(a, b);
        if (sim > 0.7) {
            int prefix = 0;
            int most = Math.min(4, Math.min(a.length, b.length));
            while (prefix < most && a[prefix] == b[prefix]) {
                prefix++;
            }
            sim += prefix * 0.1 * (1 - sim);
        }
        return sim;
    }

    static double jaro(byte[] a, byte[] b) {
        int la = a.length;
        int lb = b.length;
        if (la == 0 || lb == 0) {
            return 0.0;
        }
        int bound = Math.max(Math.max(la, lb) / 2 - 1, 0);
        boolean[] usedA = new boolean[la];
        boolean[] usedB = new boolean[lb];
        int matches = 0;
        for (int i = 0; i < la; i++) {
            int hi = Math.min(lb, i + bound + 1);
            for (int j = Math.max(0, i - bound); j < hi; j++) {
                if (!usedB[j] && b[j] == a[i]) {
                    usedA[i] = true;
                    usedB[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0) {
            return 0.0;
        }
        int k = 0;
        int outOfOrder = 0;
        for (int i = 0; i < la; i++) {
            if (usedA[i]) {
                while (!usedB[k]) {
                    k++;
                }
                if (a[i] != b[k]) {
                    outOfOrder++;
                }
                k++;
            }
        }
        int transpositions = outOfOrder / 2;
        double m = matches;
        return (m / la + m / lb + (m - transpositions) / m) / 3;
    }
}
