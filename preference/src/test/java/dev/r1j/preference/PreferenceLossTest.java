package dev.r1j.preference;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.testing.RootManager;
import org.junit.jupiter.api.Test;

/**
 * Each loss and its gradient against the papers' formulas worked by hand in double precision, on three pairs.
 * π = policy summed log-probs, ref = reference, |y| = completion tokens.
 */
class PreferenceLossTest {
    static final double[] PC = {-5.0, -8.0, -3.0}, PR = {-6.0, -4.0, -9.5};
    static final double[] RC = {-5.5, -7.0, -4.0}, RR = {-5.8, -4.5, -9.0};
    static final double[] LC = {4, 5, 3}, LR = {5, 4, 6};
    static final double BETA = 0.3, GAMMA = 0.7;
    static final int N = 3;
    @RootManager static NDManager root;

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    /** Loss, dL/dπ_c and dL/dπ_r and the rewards from the implementation. */
    private record Got(double loss, float[] dChosen, float[] dRejected, float[] chosenR, float[] rejectedR) {}

    private static Got run(PreferenceLossType type) {
        try (NDManager m = root.newSubManager()) {
            NDArray pc = m.create(toF(PC)), pr = m.create(toF(PR));
            pc.setRequiresGradient(true);
            pr.setRequiresGradient(true);
            PreferenceLoss.Result r;
            double loss;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                r = new PreferenceLoss(type, BETA, GAMMA).compute(pc, pr, m.create(toF(RC)), m.create(toF(RR)),
                        m.create(toF(LC)), m.create(toF(LR)));
                loss = r.loss().getFloat();
                gc.backward(r.loss());
            }
            return new Got(loss, pc.getGradient().toFloatArray(), pr.getGradient().toFloatArray(),
                    r.chosenRewards().toFloatArray(), r.rejectedRewards().toFloatArray());
        }
    }

    private static float[] toF(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 2e-6 + 2e-5 * Math.abs(expected), what);
    }

    private static void check(Got g, double loss, double[] dc, double[] dr, double[] rc, double[] rr) {
        close(loss, g.loss(), "loss");
        for (int i = 0; i < N; i++) {
            close(dc[i], g.dChosen()[i], "dL/dπ_c[" + i + "]");
            close(dr[i], g.dRejected()[i], "dL/dπ_r[" + i + "]");
            close(rc[i], g.chosenR()[i], "chosen reward[" + i + "]");
            close(rr[i], g.rejectedR()[i], "rejected reward[" + i + "]");
        }
    }

    @Test
    void dpoSigmoid() {
        double loss = 0;
        double[] dc = new double[N], dr = new double[N], rc = new double[N], rr = new double[N];
        for (int i = 0; i < N; i++) {
            double z = BETA * ((PC[i] - RC[i]) - (PR[i] - RR[i]));
            loss += -Math.log(sigmoid(z)) / N;
            dc[i] = -BETA * sigmoid(-z) / N;
            dr[i] = BETA * sigmoid(-z) / N;
            rc[i] = BETA * (PC[i] - RC[i]);
            rr[i] = BETA * (PR[i] - RR[i]);
        }
        check(run(PreferenceLossType.SIGMOID), loss, dc, dr, rc, rr);
    }

    @Test
    void ipo() {
        double loss = 0;
        double[] dc = new double[N], dr = new double[N], rc = new double[N], rr = new double[N];
        for (int i = 0; i < N; i++) {
            double h = (PC[i] - RC[i]) - (PR[i] - RR[i]);
            double d = h - 1 / (2 * BETA);
            loss += d * d / N;
            dc[i] = 2 * d / N;
            dr[i] = -2 * d / N;
            rc[i] = BETA * (PC[i] - RC[i]);
            rr[i] = BETA * (PR[i] - RR[i]);
        }
        check(run(PreferenceLossType.IPO), loss, dc, dr, rc, rr);
    }

    @Test
    void simpoIsLengthNormalisedReferenceFreeWithMargin() {
        double loss = 0;
        double[] dc = new double[N], dr = new double[N], rc = new double[N], rr = new double[N];
        for (int i = 0; i < N; i++) {
            double z = BETA * PC[i] / LC[i] - BETA * PR[i] / LR[i] - GAMMA;
            loss += softplus(-z) / N;
            dc[i] = -BETA / LC[i] * sigmoid(-z) / N;
            dr[i] = BETA / LR[i] * sigmoid(-z) / N;
            rc[i] = BETA * PC[i] / LC[i];
            rr[i] = BETA * PR[i] / LR[i];
        }
        check(run(PreferenceLossType.SIMPO), loss, dc, dr, rc, rr);
        // reference-free: no reference needed at all
        try (NDManager m = root.newSubManager()) {
            NDArray l = new PreferenceLoss(PreferenceLossType.SIMPO, BETA, GAMMA).compute(m.create(toF(PC)),
                    m.create(toF(PR)), null, null, m.create(toF(LC)), m.create(toF(LR))).loss();
            close(loss, l.getFloat(), "loss without reference");
        }
    }

    @Test
    void orpoIsChosenNllPlusWeightedOddsRatio() {
        double sumPc = 0, sumLc = 0;
        for (int i = 0; i < N; i++) {
            sumPc += PC[i];
            sumLc += LC[i];
        }
        double loss = -sumPc / sumLc;
        double[] dc = new double[N], dr = new double[N], rc = new double[N], rr = new double[N];
        for (int i = 0; i < N; i++) {
            double ac = PC[i] / LC[i], ar = PR[i] / LR[i];
            // log odds(y) = log(p / (1 - p)) with p = exp(mean token log-prob)
            double pC = Math.exp(ac), pR = Math.exp(ar);
            double lo = Math.log(pC / (1 - pC)) - Math.log(pR / (1 - pR));
            loss += -BETA * Math.log(sigmoid(lo)) / N;
            // d log odds / d a = 1 / (1 - e^a), d a / d π = 1 / |y|
            dc[i] = -1 / sumLc - BETA / N * sigmoid(-lo) / (1 - pC) / LC[i];
            dr[i] = BETA / N * sigmoid(-lo) / (1 - pR) / LR[i];
            rc[i] = BETA * ac;
            rr[i] = BETA * ar;
        }
        check(run(PreferenceLossType.ORPO), loss, dc, dr, rc, rr);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PreferenceLossType.class)
    void partsNormalisedByTheWholeBatchAddUpToIt(PreferenceLossType type) {
        Got whole = run(type);
        double loss = 0;
        float[] dc = new float[N], dr = new float[N];
        double sumLc = LC[0] + LC[1] + LC[2];
        for (int[] part : new int[][] {{0, 1}, {1, 3}}) {
            try (NDManager m = root.newSubManager()) {
                NDArray pc = m.create(toF(PC)), pr = m.create(toF(PR));
                pc.setRequiresGradient(true);
                pr.setRequiresGradient(true);
                String rows = part[0] + ":" + part[1];
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    NDArray l = new PreferenceLoss(type, BETA, GAMMA).compute(pc.get(rows), pr.get(rows),
                            m.create(toF(RC)).get(rows), m.create(toF(RR)).get(rows), m.create(toF(LC)).get(rows),
                            m.create(toF(LR)).get(rows), N, sumLc).loss();
                    loss += l.getFloat();
                    gc.backward(l);
                }
                float[] gc = pc.getGradient().toFloatArray(), gr = pr.getGradient().toFloatArray();
                for (int i = 0; i < N; i++) {
                    dc[i] += gc[i];
                    dr[i] += gr[i];
                }
            }
        }
        close(whole.loss(), loss, "summed loss");
        for (int i = 0; i < N; i++) {
            close(whole.dChosen()[i], dc[i], "dL/dπ_c[" + i + "]");
            close(whole.dRejected()[i], dr[i], "dL/dπ_r[" + i + "]");
        }
    }

    @Test
    void badSettingsAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new PreferenceLoss(PreferenceLossType.SIGMOID, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PreferenceLoss(PreferenceLossType.SIMPO, 1, -1));
        // "dpo" is an accepted spelling of sigmoid (an @Alias on the constant); an unknown name is no constant
        assertEquals(PreferenceLossType.SIGMOID, dev.r1j.options.OptionRecords.enumConstant(PreferenceLossType.class, "DPO"));
        assertEquals(null, dev.r1j.options.OptionRecords.enumConstant(PreferenceLossType.class, "kto"));
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.create(toF(PC));
            IllegalArgumentException noRef = assertThrows(IllegalArgumentException.class,
                    () -> new PreferenceLoss(PreferenceLossType.IPO, 0.1, 0).compute(x, x, null, null, x, x));
            assertTrue(noRef.getMessage().contains("reference"), noRef.getMessage());
        }
    }
}
