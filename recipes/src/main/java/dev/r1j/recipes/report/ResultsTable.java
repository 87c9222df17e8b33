package dev.r1j.recipes.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A small text table with aligned columns (numbers right-aligned), for before/after results.
 *
 * <pre>{@code
 * System.out.print(ResultsTable.compare(Map.of("base", Map.of("accuracy", 0.31), "grpo", Map.of("accuracy", 0.58))).render());
 * // metric    base   grpo   change
 * // accuracy  0.310  0.580  +0.270
 * }</pre>
 */
public final class ResultsTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public ResultsTable(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; numbers are formatted with {@link #format}, {@code null} shows as "-". */
    public ResultsTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : c instanceof Number ? format(((Number) c).doubleValue()) : c.toString());
        }
        rows.add(r);
        return this;
    }

    /**
     * Metrics as rows and labelled results as columns (in the map's order), plus a {@code change} column (last minus
     * first) when there are two or more.
     */
    public static ResultsTable compare(Map<String, ? extends Map<String, ? extends Number>> results) {
        List<String> labels = new ArrayList<>(results.keySet());
        Set<String> metrics = new LinkedHashSet<>();
        results.values().forEach(m -> metrics.addAll(m.keySet()));
        List<String> head = new ArrayList<>();
        head.add("metric");
        head.addAll(labels);
        boolean change = labels.size() >= 2;
        if (change) {
            head.add("change");
        }
        ResultsTable t = new ResultsTable(head.toArray(String[]::new));
        for (String metric : metrics) {
            List<Object> cells = new ArrayList<>();
            cells.add(metric);
            for (String l : labels) {
                cells.add(results.get(l).get(metric));
            }
            if (change) {
                Number first = results.get(labels.get(0)).get(metric);
                Number last = results.get(labels.get(labels.size() - 1)).get(metric);
                cells.add(first == null || last == null ? "-" : signed(last.doubleValue() - first.doubleValue()));
            }
            t.row(cells.toArray());
        }
        return t;
    }

    /** Two columns, "before" and "after", with the change. */
    public static ResultsTable beforeAfter(Map<String, ? extends Number> before, Map<String, ? extends Number> after) {
        Map<String, Map<String, ? extends Number>> m = new LinkedHashMap<>();
        m.put("before", before);
        m.put("after", after);
        return compare(m);
    }

    /** The table as aligned text, one line per row, ending with a newline. */
    public String render() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width, false);
        char[] rule = new char[Arrays.stream(width).sum() + 2 * (width.length - 1)];
        Arrays.fill(rule, '-');
        sb.append(rule).append('\n');
        for (List<String> r : rows) {
            line(sb, r, width, true);
        }
        return sb.toString();
    }

    /** The table as an HTML {@code <table>} (cells escaped; numbers right-aligned). */
    public String toHtml() {
        StringBuilder sb = new StringBuilder("<table>\n<tr>");
        header.forEach(h -> sb.append("<th>").append(Html.escape(h)).append("</th>"));
        sb.append("</tr>\n");
        for (List<String> r : rows) {
            sb.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                sb.append(i == 0 ? "<td>" : "<td class=\"num\">").append(Html.escape(r.get(i))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    @Override
    public String toString() {
        return render();
    }

    /** 3 decimals below 1000 in magnitude, 1 above; integers without decimals. */
    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 1000 ? "%.1f" : "%.3f", v);
    }

    private static String signed(double v) {
        String s = format(v);
        return v > 0 ? "+" + s : s;
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width, boolean alignNumbers) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            boolean right = alignNumbers && i > 0 && c.matches("[+-]?[0-9.,eE+-]+|-");
            String pad = " ".repeat(width[i] - c.length());
            sb.append(right ? pad + c : c + (i == cells.size() - 1 ? "" : pad));
            if (i < cells.size() - 1) {
                sb.append("  ");
            }
        }
        sb.append('\n');
    }
}
