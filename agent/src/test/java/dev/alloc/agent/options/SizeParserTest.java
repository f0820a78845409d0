package dev.alloc.agent.options;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizeParserTest {
    @ParameterizedTest
    @CsvSource({
        "65536, 65536", "0, 0", "512m, 536870912", "512M, 536870912", "512MiB, 536870912", "512mb, 536870912",
        "1G, 1073741824", "1g, 1073741824", "1GiB, 1073741824", "64k, 65536", "64KB, 65536", "2t, 2199023255552",
        "100b, 100", "' 8m ', 8388608", "8388607T, 9223370937343148032"
    })
    void parsesSizes(String text, long bytes) {
        assertEquals(bytes, SizeParser.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "m", "-1", "1.5g", "12q", "1 g", "1gb2", "1kk", "0x10", "99999999999999999999",
        "9223372036854775807k", "8388608T", "１２m"})
    void rejectsGarbage(String text) {
        assertEquals(-1, SizeParser.parse(text));
    }
}
