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
