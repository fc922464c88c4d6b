#include <mpitray/core/pipeline.hpp>

#include <gtest/gtest.h>

#include <sys/resource.h>

using namespace mpitray;

namespace {

// "Billion laughs": lists of ten aliases to the list before, nine deep. About 600 bytes that
// expand to 10^9 values; as parameters p0 to p9 one per line, or as the items of a flow list.
std::string alias_bomb(bool as_parameters) {
    std::string text;
    for (int level = 0; level <= 9; ++level) {
        const std::string items = level == 0 ? "ha" : "*l" + std::to_string(level - 1);
        text += as_parameters ? "      p" + std::to_string(level) + ": &l" : "&l";
        text += std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) text += (i ? ", " : "") + items;
        text += as_parameters ? "]\n" : level < 9 ? "], " : "]";
    }
    return text;
}

// A regression then fails with bad_alloc instead of taking the machine's memory (not under
// AddressSanitizer, which reserves terabytes of address space).
void limit_address_space_to_1_gib() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return;
#endif
#endif
    rlimit limit{};
    getrlimit(RLIMIT_AS, &limit);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, rlim_t{1} << 30);
    setrlimit(RLIMIT_AS, &limit);
}

std::string error_of(const std::string& text) {
    try {
        parse_pipeline(text, "p.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Pipeline, ParsesTheDocumentedForm) {
    const Pipeline p = parse_pipeline(R"(
seed: 9
tray:
  - module: Generator
    params: {events: 5}
  - module: Dispatch
    name: farm
    inner:
      - module: Work
        params:
          mean_ms: 2
  - module: Writer
)",
                                      "p.yaml");
    EXPECT_EQ(p.seed, 9u);
    ASSERT_EQ(p.tray.size(), 3u);
    EXPECT_EQ(p.tray[0].name, "Generator") << "the name defaults to the type";
    EXPECT_EQ(p.tray[0].params.at(0).first, "events");
    EXPECT_EQ(p.tray[0].params.at(0).second.scalar, "5");
    EXPECT_EQ(p.tray[1].name, "farm");
    EXPECT_TRUE(p.tray[1].has_inner);
    ASSERT_EQ(p.tray[1].inner.size(), 1u);
    EXPECT_EQ(p.tray[1].inner[0].params.at(0).second.where.str(), "p.yaml:11");
    EXPECT_EQ(p.tray[2].where.str(), "p.yaml:12");
}

TEST(Pipeline, ErrorsNameFileAndLine) {
    EXPECT_EQ(error_of("tray:\n  - module: A\n    params: [1, 2\n").substr(0, 26), "p.yaml:4: YAML syntax erro");
    EXPECT_EQ(error_of("sed: 1\ntray:\n  - module: A\n"),
              "p.yaml:1: unknown top-level key 'sed'; a pipeline file has 'seed' and 'tray'");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    parms: {}\n"),
              "p.yaml:3: unknown entry field 'parms'; an entry has module, name, params and (for Dispatch) inner");
    EXPECT_EQ(error_of("seed: -1\ntray:\n  - module: A\n"),
              "p.yaml:1: 'seed' must be an integer from 0 to 18446744073709551615, not '-1'");
    EXPECT_EQ(error_of("tray:\n  - name: x\n"), "p.yaml:2: this tray entry has no 'module: TYPE'");
    EXPECT_EQ(error_of("seed: 1\n"), "p.yaml: the pipeline has no 'tray' list of modules");
    EXPECT_EQ(error_of("tray:\n  - module: A\n  - module: A\n"),
              "p.yaml:3: two modules are named 'A' (the other is at p.yaml:2); give one a 'name:'");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    params: {x: 1, x: 2}\n"),
              "p.yaml:3: parameter 'x' is given twice (first at p.yaml:3)");
}

TEST(Pipeline, TheSeedIsReadExactly) {
    EXPECT_EQ(parse_pipeline("seed: 18446744073709551615\ntray:\n  - module: A\n", "p.yaml").seed, UINT64_MAX);
    EXPECT_EQ(parse_pipeline("seed: 1e3\ntray:\n  - module: A\n", "p.yaml").seed, 1000u);
    EXPECT_EQ(error_of("seed: 18446744073709551616\ntray:\n  - module: A\n"),
              "p.yaml:1: 'seed' must be an integer from 0 to 18446744073709551615, not '18446744073709551616'");
    EXPECT_EQ(error_of("seed: 0.5\ntray:\n  - module: A\n"), "p.yaml:1: 'seed' must be a whole number, not '0.5'");
    EXPECT_EQ(error_of("seed: [1]\ntray:\n  - module: A\n"),
              "p.yaml:1: 'seed' must be an integer from 0 to 18446744073709551615");
}

TEST(Pipeline, ANullValueIsPlacedOnItsOwnLine) {
    // YAML marks an empty value at the next token, often on the next line; the value is on its key's.
    const Pipeline p = parse_pipeline(
        "tray:\n  - module: W\n    params:\n      file:\n      # a comment\n\n"
        "    name: w\n  - module: X\n    params: {events: }\n",
        "p.yaml");
    EXPECT_TRUE(p.tray[0].params.at(0).second.is_null());
    EXPECT_EQ(p.tray[0].params.at(0).second.where.str(), "p.yaml:4");
    EXPECT_EQ(p.tray[1].params.at(0).second.where.str(), "p.yaml:9");
    EXPECT_EQ(error_of("tray:\n  - module:\n  - module: A\n"),
              "p.yaml:2: 'module' must be a module type such as Generator");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    name:\n"), "p.yaml:3: 'name' must be a non-empty name");
    EXPECT_EQ(error_of("tray:\n  - module: A\n  -\n  - module: B\n"),
              "p.yaml:3: a tray entry must be a map with at least 'module: TYPE'");
    EXPECT_EQ(error_of("seed:\ntray:\n  - module: A\n"),
              "p.yaml:1: 'seed' must be an integer from 0 to 18446744073709551615");
}

TEST(Pipeline, ADuplicateKeyIsRefusedWithBothLines) {
    EXPECT_EQ(error_of("seed: 1\ntray:\n  - module: A\nseed: 2\n"),
              "p.yaml:4: 'seed' is given twice (first at p.yaml:1)");
    EXPECT_EQ(error_of("tray:\n  - module: A\ntray:\n  - module: B\n"),
              "p.yaml:3: 'tray' is given twice (first at p.yaml:1)");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    name: a\n    module: B\n"),
              "p.yaml:4: 'module' is given twice in this entry (first at p.yaml:2)");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    params:\n      x: 1\n      y: 2\n      x:\n"),
              "p.yaml:6: parameter 'x' is given twice (first at p.yaml:4)");
    EXPECT_EQ(error_of("tray:\n  - module: A\n    params:\n      x: {a: 1, a: 2}\n"),
              "p.yaml:4: 'a' is given twice (first at p.yaml:4)");
}

TEST(Pipeline, OnlyUtf8TextIsAPipelineFile) {
    using namespace std::string_literals;
    const std::string yaml = "seed: 1\ntray:\n  - module: A\n";
    std::string utf16 = "\xFF\xFE"s;
    for (char c : yaml) utf16 += std::string{c, '\0'};
    EXPECT_EQ(error_of(utf16),
              "p.yaml: the pipeline file is UTF-16 (little-endian, with a byte order mark); pipeline files must be "
              "UTF-8 text");
    EXPECT_EQ(error_of(utf16.substr(2)).substr(0, 48), "p.yaml: the pipeline file is UTF-16 (little-endi");
    std::string utf16be = "\xFE\xFF"s;
    for (char c : yaml) utf16be += std::string{'\0', c};
    EXPECT_NE(error_of(utf16be).find("is UTF-16 (big-endian, with a byte order mark)"), std::string::npos);
    std::string utf32 = "\xFF\xFE\0\0"s;
    for (char c : yaml) utf32 += std::string{c, '\0', '\0', '\0'};
    EXPECT_NE(error_of(utf32).find("is UTF-32 (little-endian, with a byte order mark)"), std::string::npos);
    EXPECT_EQ(error_of("seed: 1\ntray:\n  - module: A\0\n"s),
              "p.yaml:3: the pipeline file has a NUL byte; pipeline files must be UTF-8 text");
    EXPECT_EQ(error_of("seed: 1\n# caf\xE9 (Latin-1)\ntray:\n  - module: A\n"),
              "p.yaml:2: the pipeline file has byte 0xe9, which UTF-8 does not allow there; pipeline files must be "
              "UTF-8 text");
    EXPECT_NE(error_of("# \xED\xA0\x80 a surrogate\n" + yaml).find("byte 0xed"), std::string::npos);
    // UTF-8, with or without a byte order mark, is kept exactly as written.
    for (const std::string& text : {"\xEF\xBB\xBF" + yaml + "# caf\xC3\xA9 \xF0\x9F\x8C\x8A\n", yaml}) {
        const Pipeline p = parse_pipeline(text, "p.yaml");
        EXPECT_EQ(p.text, text);
        EXPECT_EQ(p.seed, 1u);
        EXPECT_EQ(p.tray.at(0).type, "A");
    }
}

TEST(Pipeline, OverridesReachInnerModules) {
    Pipeline p = parse_pipeline("tray:\n  - module: D\n    inner:\n      - module: Work\n", "p.yaml");
    apply_override(p, "Work.mean_ms=2.5");
    apply_override(p, "Work.stops=[Q, P]");
    const ModuleSpec& work = p.tray[0].inner[0];
    ASSERT_EQ(work.params.size(), 2u);
    EXPECT_EQ(work.params[0].second.scalar, "2.5");
    EXPECT_EQ(work.params[1].second.kind, ConfigValue::Kind::list);
    apply_override(p, "Work.mean_ms=3");
    EXPECT_EQ(work.params[0].second.scalar, "3") << "a second --set replaces the first";
    EXPECT_THROW(apply_override(p, "Nope.x=1"), ConfigError);
    EXPECT_THROW(apply_override(p, "Work=1"), ConfigError);
    EXPECT_THROW(apply_override(p, "Work.x"), ConfigError);
}

TEST(Pipeline, AliasesExpandWithinTheLimits) {
    limit_address_space_to_1_gib();
    const Pipeline p = parse_pipeline("tray:\n  - module: A\n    params: {x: &s [Q, P], y: *s}\n", "p.yaml");
    EXPECT_EQ(p.tray[0].params[1].second.items.size(), 2u) << "an alias is a copy of its anchor's value";

    // l4 holds 111111 values; the eighth alias of it in l5 (line 9) goes over a million.
    std::string error;
    EXPECT_NO_THROW(error = error_of("tray:\n  - module: A\n    params:\n" + alias_bomb(true)));
    EXPECT_EQ(error.substr(0, 48), "p.yaml:9: the alias '*l4' repeats 111111 values ") << error;
    EXPECT_NE(error.find("more than 1000000 values or 64 MiB of text"), std::string::npos) << error;

    EXPECT_EQ(error_of("tray:\n  - module: A\n    params: {x: &a [1, *a]}\n"),
              "p.yaml:3: the alias '*a' is inside the value it names, which would contain itself without end");

    Pipeline q = parse_pipeline("tray:\n  - module: A\n", "p.yaml");
    try {
        apply_override(q, "A.x=[" + alias_bomb(false) + "]");
        ADD_FAILURE() << "an alias bomb in --set was accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).find("--set 'A.x=[&l0 [ha"), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("the alias '*l4' repeats 111111 values"), std::string::npos) << e.what();
    }
}

TEST(Pipeline, AMissingFileIsAConfigError) { EXPECT_THROW(load_pipeline("/nonexistent/pipeline.yaml"), ConfigError); }
