package dev.r1j.core.model;

/** Placeholder replaced by the foundation work in this same session (see issue 3). */
public final class ModelConfig {}
