package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;

/** A parsed recipe: the tree and where each of its keys was written. */
public record LocatedTree(JsonNode root, SourceMap sources) {}
