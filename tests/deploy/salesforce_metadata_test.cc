// deploy/salesforce — the Salesforce metadata an admin deploys with `sf project deploy start` —
// agrees with the shipped mappings: every XML file is well-formed with the right root element
// and namespace, every custom field and picklist value the mappings name is declared with the
// right type and nothing else is, and the permission set grants exactly what casebridge uses.
// A changed mapping (or metadata file) without the matching change on the other side fails the
// check: the mutation tests below run it on edited copies in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "mappings/loader.h"
#include "mappings/signals.h"
#include "tests/deploy/metadata_agreement.h"
#include "tests/deploy/metadata_source.h"
#include "tests/deploy/strict_xml.h"
#include "tests/support/temp_dir.h"

namespace casebridge::deploy_test {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string const kSource = std::string(CASEBRIDGE_SOURCE_DIR) + "/deploy/salesforce";
std::string const kMappings = std::string(CASEBRIDGE_SOURCE_DIR) + "/mappings/default";

std::string Lines(std::vector<std::string> const& problems) {
  std::string out;
  for (auto const& p : problems) out += "\n  " + p;
  return out;
}

// Replaces the first `from` in `file` by `to`; fails the test when `from` is not there.
void Edit(fs::path const& file, std::string const& from, std::string const& to) {
  std::string text = ReadTextFile(file.string());
  auto const at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "'" << from << "' is not in " << file;
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

TEST(SalesforceMetadataTest, AgreesWithTheShippedMappings) {
  auto const embedded = CheckMetadataAgainstMappings(kSource, "");
  EXPECT_THAT(embedded, IsEmpty()) << Lines(embedded);
  auto const files = CheckMetadataAgainstMappings(kSource, kMappings);
  EXPECT_THAT(files, IsEmpty()) << Lines(files);
}

TEST(SalesforceMetadataTest, EveryXmlFileIsWellFormedWithItsRootElementAndNamespace) {
  std::vector<std::string> problems;
  auto const source = ReadMetadataSource(kSource, problems);
  EXPECT_THAT(problems, IsEmpty()) << Lines(problems);
  EXPECT_EQ(source.xml_files.size(), 12U);  // 9 fields, 1 permission set, 2 queues
  for (auto const& entry : fs::recursive_directory_iterator(kSource)) {
    if (entry.path().extension() != ".xml") continue;
    std::string const name = entry.path().filename().string();
    SCOPED_TRACE(name);
    auto doc = ParseXml(ReadTextFile(entry.path().string()));
    ASSERT_TRUE(doc.ok()) << doc.status();
    std::string const root = name.ends_with(".field-meta.xml")           ? "CustomField"
                             : name.ends_with(".permissionset-meta.xml") ? "PermissionSet"
                             : name.ends_with(".queue-meta.xml")         ? "Queue"
                                                                         : "?";
    EXPECT_EQ(doc->name, root);
    ASSERT_NE(doc->Attribute("xmlns"), nullptr);
    EXPECT_EQ(*doc->Attribute("xmlns"), kMetadataNamespace);
  }
}

// The derivation sees what the shipped mappings and code use (so agreement is not vacuous).
TEST(SalesforceMetadataTest, DerivesWhatCasebridgeReadsAndWrites) {
  std::vector<std::string> problems;
  auto const usage = adapters::DeriveSalesforceUsage("", problems);
  ASSERT_THAT(problems, IsEmpty()) << Lines(problems);
  auto const& key = usage.custom_fields.at("Task.Casebridge_Key__c");
  EXPECT_TRUE(key.external_id);
  EXPECT_TRUE(key.written);
  EXPECT_THAT(key.types, ElementsAre("Text"));
  EXPECT_EQ(usage.custom_fields.at("Task.Escalation_Step__c").values.size(), 8U);
  EXPECT_FALSE(usage.custom_fields.at("Task.Escalation_Step__c").written);
  EXPECT_EQ(usage.custom_fields.at("Case.Installer__c").reference_to, "Account");
  EXPECT_THAT(usage.custom_fields.at("Account.Escalation_Phone__c").types, ElementsAre("Phone"));
  EXPECT_THAT(usage.custom_fields.at("Account.Escalation_Email__c").types, ElementsAre("Email"));
  EXPECT_THAT(usage.custom_fields.at("Case.Escalation_Tier__c").types, ElementsAre("Number"));
  EXPECT_EQ(usage.custom_fields.size(), 9U);
  EXPECT_THAT(usage.standard_values.at("Case.Reason"), ElementsAre("Installer Complaints"));
  EXPECT_THAT(usage.standard_values.at("Task.Status"), ElementsAre("Completed", "Not Started"));
  EXPECT_THAT(usage.writes.at("Task"), ElementsAre("upsert"));
  EXPECT_THAT(usage.writes.at("Case"), ElementsAre("update"));
  EXPECT_THAT(usage.writes.at("FeedItem"), ElementsAre("create"));
  EXPECT_THAT(usage.fields_written.at("Case"), ElementsAre("OwnerId"));
  EXPECT_THAT(usage.objects_read, Contains("Contact"));
  EXPECT_THAT(usage.queues, ElementsAre("Back_Office", "Customer_Support"));
}

struct Mutation {
  char const* name;
  char const* file;  // relative to the copied directory
  char const* from;
  char const* to;
  char const* problem;  // a substring of one reported problem
};
void PrintTo(Mutation const& m, std::ostream* os) { *os << m.name; }

// A mapping changed without a metadata change: the check fails, naming the difference.
class ChangedMappingTest : public ::testing::TestWithParam<Mutation> {};

TEST_P(ChangedMappingTest, FailsTheCheck) {
  testing_util::TempDir dir;
  fs::copy(kMappings, dir.path(), fs::copy_options::recursive);
  Edit(fs::path(dir.path()) / GetParam().file, GetParam().from, GetParam().to);
  // The edited mappings are valid: only the metadata disagrees with them.
  ASSERT_TRUE(mappings::LoadPolicyOrError(dir.path()).ok());
  ASSERT_TRUE(mappings::LoadSignalsOrError(dir.path()).ok());
  auto const problems = CheckMetadataAgainstMappings(kSource, dir.path());
  EXPECT_THAT(problems, Contains(HasSubstr(GetParam().problem))) << Lines(problems);
}

INSTANTIATE_TEST_SUITE_P(
    Mappings, ChangedMappingTest,
    ::testing::Values(
        Mutation{"NewEscalationStep", "signals.json", R"(["Sales Referral"])",
                 R"(["Sales Referral", "Sales Escalation"])",
                 "Task.Escalation_Step__c: picklist value 'Sales Escalation' is not declared"},
        Mutation{"EscalationStepNoLongerUsed", "signals.json", R"(["AM Responded"])",
                 R"(["Sales Referral"])", "declares value 'AM Responded', which no mapping names"},
        Mutation{"RenamedTierField", "relations.json", R"("Escalation_Tier__c")", R"("Tier__c")",
                 "Case.Tier__c is not declared (used by relations.json tier_field"},
        Mutation{"OldTierFieldLeftOver", "relations.json", R"("Escalation_Tier__c")",
                 R"("Tier__c")",
                 "Case.Escalation_Tier__c is declared but casebridge does not use it"},
        Mutation{"NewSecondaryReason", "reasons.json", R"("Other"
  ],)",
                 R"("Other", "Roof Leak"
  ],)",
                 "Case.Secondary_Reason__c: picklist value 'Roof Leak' is not declared"},
        Mutation{"NewFinancingPartner", "relations.json", R"("Concert": "concert")",
                 R"("Concert": "concert", "Sunlight": "beam")",
                 "Case.Financing_Partner__c: picklist value 'Sunlight' is not declared"},
        Mutation{"NewQueue", "queues.json", R"("customer_support": "Customer_Support")",
                 R"("customer_support": "Customer_Support", "escalations": "Escalations")",
                 "queue Escalations (queues.json) is not declared"},
        Mutation{"RenamedTaskKey", "signals.json", R"("task_key_field": "Casebridge_Key__c")",
                 R"("task_key_field": "Casebridge_Id__c")",
                 "Task.Casebridge_Id__c is not declared (used by signals.json task_key_field"},
        Mutation{"StandardInstallerPhone", "relations.json", R"("Escalation_Phone__c")",
                 R"("Phone")",
                 "field Account.Escalation_Phone__c granted (read) but casebridge "
                 "does not use it"},
        Mutation{"NewCaseFieldRead", "signals.json", R"("subject_field": "Subject")",
                 R"("subject_field": "Summary__c")",
                 "Case.Summary__c is not declared (used by the Case query)"},
        Mutation{"ReasonValueRenamed", "reasons.json",
                 R"("installer_complaint": "Installer Complaints")",
                 R"("installer_complaint": "Installer Complaint")",
                 "`Case.Reason` `Installer Complaint` the org must have"}),
    [](::testing::TestParamInfo<Mutation> const& info) { return std::string(info.param.name); });

// Metadata changed without a mapping change (or broken): the check fails too.
class ChangedMetadataTest : public ::testing::TestWithParam<Mutation> {};

constexpr char const* kDefault = "force-app/main/default/";
constexpr char const* kPermissionSet =
    "force-app/main/default/permissionsets/Casebridge_Integration.permissionset-meta.xml";

TEST_P(ChangedMetadataTest, FailsTheCheck) {
  testing_util::TempDir dir;
  fs::copy(kSource, dir.path(), fs::copy_options::recursive);
  fs::path const file = fs::path(dir.path()) / GetParam().file;
  if (std::string(GetParam().from).empty()) {
    if (std::string(GetParam().to).empty()) {
      ASSERT_TRUE(fs::remove(file)) << file;
    } else {
      fs::create_directories(file.parent_path());
      std::ofstream(file) << GetParam().to;
    }
  } else {
    Edit(file, GetParam().from, GetParam().to);
  }
  auto const problems = CheckMetadataAgainstMappings(dir.path(), "");
  EXPECT_THAT(problems, Contains(HasSubstr(GetParam().problem))) << Lines(problems);
}

std::string const kExtraField =
    std::string(kDefault) + "objects/Case/fields/Extra__c.field-meta.xml";
std::string const kTaskField =
    std::string(kDefault) + "objects/Task/fields/Extra__c.field-meta.xml";
std::string const kStepField =
    std::string(kDefault) + "objects/Activity/fields/Escalation_Step__c.field-meta.xml";
std::string const kKeyField =
    std::string(kDefault) + "objects/Activity/fields/Casebridge_Key__c.field-meta.xml";
std::string const kTierField =
    std::string(kDefault) + "objects/Case/fields/Escalation_Tier__c.field-meta.xml";
std::string const kQueue = std::string(kDefault) + "queues/Back_Office.queue-meta.xml";
std::string const kOtherQueue = std::string(kDefault) + "queues/Other.queue-meta.xml";
std::string const kStray = std::string(kDefault) + "classes/Extra.cls";
constexpr char const* kFieldXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Extra__c</fullName>
    <label>Extra</label>
    <type>Email</type>
</CustomField>
)";

INSTANTIATE_TEST_SUITE_P(
    Metadata, ChangedMetadataTest,
    ::testing::Values(
        Mutation{"FieldRemoved", kStepField.c_str(), "", "",
                 "Task.Escalation_Step__c is not declared (used by signals.json events["},
        Mutation{"ExtraField", kExtraField.c_str(), "", kFieldXml,
                 "Case.Extra__c is declared but casebridge does not use it"},
        Mutation{"TaskFolder", kTaskField.c_str(), "", kFieldXml,
                 "custom fields of Task and Event belong in objects/Activity/fields"},
        Mutation{"StrayFile", kStray.c_str(), "", "public class Extra {}",
                 "classes/Extra.cls: not a custom field, permission set or queue file"},
        Mutation{"PicklistValueAdded", kStepField.c_str(), "<value>",
                 "<value><fullName>Extra</fullName><default>false</default><label>Extra</label>"
                 "</value><value>",
                 "declares value 'Extra', which no mapping names"},
        Mutation{"KeyNotUnique", kKeyField.c_str(), "<unique>true</unique>",
                 "<unique>false</unique>", "is casebridge's upsert key: it must be an external id"},
        Mutation{"WrongType", kTierField.c_str(), "<type>Number</type>", "<type>Phone</type>",
                 "Case.Escalation_Tier__c is a Phone; casebridge needs 'Number'"},
        Mutation{
            "CaseDelete", kPermissionSet,
            "<allowDelete>false</allowDelete>\n"
            "        <allowEdit>true</allowEdit>",
            "<allowDelete>true</allowDelete>\n        <allowEdit>true</allowEdit>",
            "object Case grants read edit delete view-all; casebridge needs read edit view-all"},
        Mutation{"KeyFieldNotEditable", kPermissionSet,
                 "<editable>true</editable>\n        <field>Task.Casebridge_Key__c</field>",
                 "<editable>false</editable>\n        <field>Task.Casebridge_Key__c</field>",
                 "field Task.Casebridge_Key__c grants read; casebridge needs read and edit"},
        Mutation{"ExtraUserPermission", kPermissionSet, "<name>ApiEnabled</name>",
                 "<name>ModifyAllData</name>",
                 "user permission ModifyAllData granted (enabled) but casebridge does not use it"},
        Mutation{"QueueForLeads", kQueue.c_str(), "<sobjectType>Case</sobjectType>",
                 "<sobjectType>Lead</sobjectType>", "queue Back_Office must support Case"},
        Mutation{"Malformed", kQueue.c_str(), "</name>", "</nam>",
                 "Back_Office.queue-meta.xml: not well-formed XML: line 4: </nam> closes <name>"},
        Mutation{"WrongNamespace", kQueue.c_str(), "2006/04/metadata", "2006/04/meta",
                 "the root element needs xmlns=\"http://soap.sforce.com/2006/04/metadata\""},
        Mutation{"WrongRoot", kOtherQueue.c_str(), "", kFieldXml,
                 "the root element must be <Queue>"},
        Mutation{"LabelMissing", kTierField.c_str(), "<label>Escalation Tier</label>\n", "",
                 "<CustomField> needs <label>"},
        Mutation{"OutOfOrder", kTierField.c_str(), "<precision>1</precision>",
                 "<precision>1</precision><fullName>X</fullName>",
                 "<fullName> must come before <precision>"},
        Mutation{"TypoedElement", kKeyField.c_str(), "<externalId>true</externalId>",
                 "<externalID>true</externalID>",
                 "<externalID> is not an element of <CustomField>"},
        Mutation{"ApiVersion", "sfdx-project.json", R"("62.0")", R"("61.0")",
                 "sourceApiVersion 61.0 is not casebridge's salesforce.api_version 62.0"},
        Mutation{"ReadmeValue", "README.md", "`Installer Complaints`", "`Installer complaints`",
                 "`Case.Reason` `Installer Complaints` the org must have"}),
    [](::testing::TestParamInfo<Mutation> const& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace casebridge::deploy_test
