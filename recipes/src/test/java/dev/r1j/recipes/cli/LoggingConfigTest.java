package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The command line's simplelogger.properties silences DJL's CUDA probe and INFO chatter, not real warnings. */
class LoggingConfigTest {
    @Test
    void djlGpuProbeIsSilentAndDjlWarningsStillShow() {
        Logger cuda = LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils");
        assertFalse(cuda.isWarnEnabled() || cuda.isErrorEnabled(), "the GPU count probe logs nothing");
        Logger engine = LoggerFactory.getLogger("ai.djl.pytorch.engine.PtEngine");
        assertFalse(engine.isInfoEnabled(), "no DJL INFO lines");
        assertTrue(engine.isWarnEnabled(), "DJL's real warnings still show");
        assertTrue(LoggerFactory.getLogger("dev.r1j.recipes.cli.Main").isInfoEnabled());
    }
}
