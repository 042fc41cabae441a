package dev.tickroom.game;

import com.fasterxml.jackson.databind.JsonNode;

/** One player input as the client sent it: its sequence number and the game-specific {@code data} object. */
public record Input(PlayerId player, long seq, JsonNode data) {}
