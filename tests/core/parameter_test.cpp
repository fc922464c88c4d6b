#include <mpitray/core/parameter.hpp>

#include <gtest/gtest.h>

using namespace mpitray;

namespace {

ParameterSet declared() {
    ParameterSet set;
    set.declare({"flag", ParamType::boolean, "a flag", ParamValue(false), false});
    set.declare({"count", ParamType::integer, "a count", ParamValue(std::int64_t{3}), false});
    set.declare({"ratio", ParamType::real, "a ratio", ParamValue(0.5), false});
    set.declare({"label", ParamType::string, "a label", std::nullopt, true});
    set.declare({"names", ParamType::string_list, "names", ParamValue(std::vector<std::string>{}), false});
    return set;
}

ConfigValue list_of(std::initializer_list<const char*> items) {
    ConfigValue value;
    value.kind = ConfigValue::Kind::list;
    for (const char* item : items) value.items.push_back(ConfigValue::of(item));
    return value;
}

}  // namespace

TEST(Parameters, DefaultsAndConvertedValues) {
    ParameterSet set = declared();
    EXPECT_EQ(set.get<std::int64_t>("count"), 3);
    set.set("count", ConfigValue::of("12"));
    set.set("ratio", ConfigValue::of("2"));  // an integer is a fine float
    set.set("flag", ConfigValue::of("yes"));
    set.set("names", list_of({"a", "b"}));
    EXPECT_EQ(set.get<std::int64_t>("count"), 12);
    EXPECT_EQ(set.get<double>("ratio"), 2.0);
    EXPECT_EQ(set.get<bool>("flag"), true);
    EXPECT_EQ(set.get<std::vector<std::string>>("names"), (std::vector<std::string>{"a", "b"}));
    set.set("names", ConfigValue::of("single"));
    EXPECT_EQ(set.get<std::vector<std::string>>("names"), (std::vector<std::string>{"single"}));
    EXPECT_FALSE(set.get<std::string>("label").has_value());
}

TEST(Parameters, WrongTypesNameTheParameterTheValueAndWhere) {
    ParameterSet set = declared();
    try {
        set.set("count", ConfigValue::of("ten", {"p.yaml", 7}));
        FAIL() << "expected an error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "parameter 'count' expects an integer, got 'ten' (p.yaml:7)");
    }
    EXPECT_THROW(set.set("count", ConfigValue::of("1.5")), ConfigError);
    EXPECT_THROW(set.set("ratio", ConfigValue::of("fast")), ConfigError);
    EXPECT_THROW(set.set("ratio", ConfigValue::of("nan")), ConfigError);
    EXPECT_THROW(set.set("flag", ConfigValue::of("maybe")), ConfigError);
    EXPECT_THROW(set.set("label", list_of({"a"})), ConfigError);
}

namespace {
std::string error_setting(ParameterSet& set, const std::string& name, const std::string& text) {
    try {
        set.set(name, ConfigValue::of(text, {"p.yaml", 3}));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST(Parameters, IntegersAreReadExactlyNeverClamped) {
    ParameterSet set = declared();
    for (const auto& [text, value] :
         std::vector<std::pair<std::string, std::int64_t>>{{"+7", 7},
                                                           {"1e3", 1000},
                                                           {"2.0", 2},
                                                           {"2.50e1", 25},
                                                           {"-0", 0},
                                                           {"9007199254740993.0", 9007199254740993},
                                                           {"9223372036854775807", INT64_MAX},
                                                           {"-9223372036854775808", INT64_MIN},
                                                           {"1.5e1", 15}}) {
        set.set("count", ConfigValue::of(text));
        EXPECT_EQ(set.get<std::int64_t>("count"), value) << text;
    }
    const std::string range = "expects an integer from -9223372036854775808 to 9223372036854775807, got ";
    EXPECT_EQ(error_setting(set, "count", "9223372036854775808"),
              "parameter 'count' " + range + "'9223372036854775808' (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "count", "-9223372036854775809"),
              "parameter 'count' " + range + "'-9223372036854775809' (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "count", "1e23"), "parameter 'count' " + range + "'1e23' (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "count", "1e999999999999999999999"),
              "parameter 'count' " + range + "'1e999999999999999999999' (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "count", "2.5"),
              "parameter 'count' expects an integer, got '2.5', which is not a whole number (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "count", "1e-400"),
              "parameter 'count' expects an integer, got '1e-400', which is not a whole number (p.yaml:3)");
    for (const char* text : {"0x10", "1_000", "e3", "1e", "--1", "1.2.3", " 1", "inf"})
        EXPECT_EQ(error_setting(set, "count", text).find("parameter 'count' expects an integer, got '"), 0u) << text;
    EXPECT_EQ(set.get<std::int64_t>("count"), 15) << "a refused value leaves the last good one";
}

TEST(Parameters, FloatsOutOfRangeAreRefusedWithTheReason) {
    ParameterSet set = declared();
    EXPECT_EQ(error_setting(set, "ratio", "1e400"),
              "parameter 'ratio' expects a number, got '1e400', beyond what a 64-bit float holds (p.yaml:3)");
    EXPECT_EQ(error_setting(set, "ratio", "inf"), "parameter 'ratio' expects a finite number, got 'inf' (p.yaml:3)");
    set.set("ratio", ConfigValue::of("1e300"));
    EXPECT_EQ(set.get<double>("ratio"), 1e300) << "large but finite: the module decides (Work refuses it)";
}

TEST(Parameters, UnknownParameterListsTheKnownOnes) {
    ParameterSet set = declared();
    try {
        set.set("cuont", ConfigValue::of("1"));
        FAIL() << "expected an error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("has no parameter 'cuont'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("flag, count, ratio, label, names"), std::string::npos) << e.what();
    }
}

TEST(Parameters, NullRestoresTheDefaultOrUnsets) {
    ParameterSet set = declared();
    set.set("count", ConfigValue::of("12"));
    ConfigValue null_value = ConfigValue::of("");
    null_value.null = true;
    set.set("count", null_value);
    EXPECT_EQ(set.get<std::int64_t>("count"), 3) << "back to the default";
    EXPECT_THROW(set.set("label", null_value), ConfigError) << "a required parameter cannot be null";
}

TEST(Parameters, MissingRequiredValueIsReported) {
    ParameterSet set = declared();
    EXPECT_THROW(set.check_required(), ConfigError);
    set.set("label", ConfigValue::of("x"));
    EXPECT_NO_THROW(set.check_required());
}
