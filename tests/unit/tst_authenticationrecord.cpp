// AuthenticationRecord: serialize() must write exactly what azure.identity writes, so that records move
// between Azid and Python programs; this is checked against Debian's python3-azure itself.

#include "azid/authenticationrecord.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace azid;

Q_DECLARE_METATYPE(azid::AuthenticationRecord)

namespace {

struct NamedRecord
{
    const char *name;
    AuthenticationRecord record;
};

AuthenticationRecord make(const QString &username,
                          const QString &tenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"))
{
    return AuthenticationRecord{
        QStringLiteral("login.microsoftonline.com"), QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
        QStringLiteral("00000000-0000-0000-66f3-3332eca7ea81.") + tenant, tenant, username};
}

QList<NamedRecord> sampleRecords()
{
    QList<NamedRecord> records;
    records.append({"ascii", make(QStringLiteral("user@contoso.example"))});
    records.append({"e acute", make(QStringLiteral("ren\u00e9@contoso.example"))});
    records.append({"cjk", make(QStringLiteral("\u65e5\u672c@example.jp"))});
    records.append({"emoji", make(QStringLiteral("party\U0001F389\U0001F600@example.org"))});
    records.append({"quotes", make(QStringLiteral("O\"Brien 'quoted'"))});
    records.append({"backslashes", make(QStringLiteral("CONTOSO\\user\\\\x"))});
    records.append({"slash", make(QStringLiteral("a/b</script>"))});
    records.append({"control characters", make(QStringLiteral("a\nb\rc\td\be\ff\x01g\x1fh"))});
    records.append({"nul", make(QString(QChar(u'\0')) + QStringLiteral("x"))});
    records.append({"delete and latin-1", make(QStringLiteral("\x7f\u0080\u00a0\u00ff"))});
    records.append({"line separators and bom", make(QStringLiteral("\u2028\u2029\ufeff"))});
    records.append({"empty strings", AuthenticationRecord{}});
    records.append(
        {"sovereign cloud on a port",
         AuthenticationRecord{QStringLiteral("login.example.org:8443"), QStringLiteral("my-client"),
                              QStringLiteral("uid.utid"), QStringLiteral("contoso.onmicrosoft.com"),
                              QStringLiteral("M\u00fcller \u00c5s")}});
    return records;
}

QString pythonInterpreter()
{
    const QString configured = qEnvironmentVariable("AZID_TEST_PYTHON");
    return configured.isEmpty() ? QStringLiteral("/usr/bin/python3") : configured;
}

// Runs azure.identity's AuthenticationRecord(...).serialize() for every sample record. The records go
// to Python as JSON on stdin; the answers come back one per line (json.dumps escapes every
// non-ASCII and control character, so a line is one record).
struct PythonResult
{
    QHash<QString, QString> serialized; // by record name
    QString failure;                    // empty when Python ran
};

const PythonResult &pythonSerialized()
{
    static const PythonResult result = [] {
        PythonResult r;
        QJsonArray input;
        for (const NamedRecord &named : sampleRecords()) {
            input.append(QJsonObject{{QStringLiteral("authority"), named.record.authority},
                                     {QStringLiteral("client_id"), named.record.clientId},
                                     {QStringLiteral("home_account_id"), named.record.homeAccountId},
                                     {QStringLiteral("tenant_id"), named.record.tenantId},
                                     {QStringLiteral("username"), named.record.username}});
        }
        const QString script = QStringLiteral(
            "import json, sys\n"
            "try:\n"
            "    from azure.identity import AuthenticationRecord\n"
            "except ImportError as e:\n"
            "    sys.stderr.write('cannot import azure.identity: %s\\n' % e)\n"
            "    sys.exit(3)\n"
            "for r in json.loads(sys.stdin.buffer.read().decode('utf-8')):\n"
            "    print(AuthenticationRecord(tenant_id=r['tenant_id'], client_id=r['client_id'],\n"
            "                               authority=r['authority'], home_account_id=r['home_account_id'],\n"
            "                               username=r['username']).serialize())\n");
        QProcess python;
        python.start(pythonInterpreter(), {QStringLiteral("-c"), script});
        if (!python.waitForStarted(30000)) {
            r.failure =
                QStringLiteral("%1 could not be started (%2). Install python3 and python3-azure "
                               "(apt-get install python3-azure), or point AZID_TEST_PYTHON at a Python "
                               "with azure.identity.")
                    .arg(pythonInterpreter(), python.errorString());
            return r;
        }
        python.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
        python.closeWriteChannel();
        if (!python.waitForFinished(120000)) {
            python.kill();
            python.waitForFinished();
            r.failure = QStringLiteral("%1 did not finish.").arg(pythonInterpreter());
            return r;
        }
        const QString errors = QString::fromUtf8(python.readAllStandardError());
        if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
            r.failure = python.exitCode() == 3
                            ? QStringLiteral("azure.identity is not importable by %1: install python3-azure "
                                             "(apt-get install python3-azure). %2")
                                  .arg(pythonInterpreter(), errors)
                            : QStringLiteral("%1 failed (exit code %2): %3")
                                  .arg(pythonInterpreter())
                                  .arg(python.exitCode())
                                  .arg(errors);
            return r;
        }
        const QList<QByteArray> lines = python.readAllStandardOutput().split('\n');
        const QList<NamedRecord> records = sampleRecords();
        if (lines.size() != records.size() + 1 || !lines.last().isEmpty()) {
            r.failure = QStringLiteral("azure.identity wrote %1 lines for %2 records.")
                            .arg(lines.size() - 1)
                            .arg(records.size());
            return r;
        }
        for (int i = 0; i < records.size(); ++i)
            r.serialized.insert(QString::fromLatin1(records[i].name), QString::fromUtf8(lines[i]));
        return r;
    }();
    return result;
}

QString validJson(const QString &version = QStringLiteral("\"1.0\""))
{
    return QStringLiteral(
               R"({"authority": "login.microsoftonline.com", "clientId": "c", "homeAccountId": "u.t", )"
               R"("tenantId": "t", "username": "me@example.org", "version": %1})")
        .arg(version);
}

QString withoutField(const QString &field)
{
    QJsonObject o = QJsonDocument::fromJson(validJson().toUtf8()).object();
    o.remove(field);
    return QString::fromUtf8(QJsonDocument(o).toJson());
}

QString withField(const QString &field, const QJsonValue &value)
{
    QJsonObject o = QJsonDocument::fromJson(validJson().toUtf8()).object();
    o.insert(field, value);
    return QString::fromUtf8(QJsonDocument(o).toJson());
}

} // namespace

class TestAuthenticationRecord : public QObject
{
    Q_OBJECT

private slots:
    void serializeMatchesAzureIdentity_data();
    void serializeMatchesAzureIdentity();
    void serializeLayout();
    void roundTrip_data();
    void roundTrip();
    void acceptsOtherKeyOrderWhitespaceAndExtraFields();
    void rejects_data();
    void rejects();
};

void TestAuthenticationRecord::serializeMatchesAzureIdentity_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<AuthenticationRecord>("record");
    for (const NamedRecord &named : sampleRecords())
        QTest::newRow(named.name) << QString::fromLatin1(named.name) << named.record;
}

void TestAuthenticationRecord::serializeMatchesAzureIdentity()
{
    QFETCH(QString, name);
    QFETCH(AuthenticationRecord, record);
    const PythonResult &python = pythonSerialized();
    if (!python.failure.isEmpty())
        QFAIL(qPrintable(python.failure));
    QCOMPARE(record.serialize(), python.serialized.value(name));
}

void TestAuthenticationRecord::serializeLayout()
{
    // What azure.identity writes, independent of Python being present.
    const AuthenticationRecord record{QStringLiteral("login.microsoftonline.com"), QStringLiteral("c"),
                                      QStringLiteral("u.t"), QStringLiteral("t"),
                                      QStringLiteral("\u00e9\U0001F600\"\\\n\x01\x7f")};
    QCOMPARE(
        record.serialize(),
        QStringLiteral(
            R"({"authority": "login.microsoftonline.com", "clientId": "c", "homeAccountId": "u.t", )"
            R"("tenantId": "t", "username": "\u00e9\ud83d\ude00\"\\\n\u0001\u007f", "version": "1.0"})"));
}

void TestAuthenticationRecord::roundTrip_data()
{
    QTest::addColumn<AuthenticationRecord>("record");
    for (const NamedRecord &named : sampleRecords())
        QTest::newRow(named.name) << named.record;
}

void TestAuthenticationRecord::roundTrip()
{
    QFETCH(AuthenticationRecord, record);
    const auto parsed = AuthenticationRecord::deserialize(record.serialize());
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(parsed.value().authority, record.authority);
    QCOMPARE(parsed.value().clientId, record.clientId);
    QCOMPARE(parsed.value().homeAccountId, record.homeAccountId);
    QCOMPARE(parsed.value().tenantId, record.tenantId);
    QCOMPARE(parsed.value().username, record.username);
    QVERIFY(parsed.value() == record);
}

void TestAuthenticationRecord::acceptsOtherKeyOrderWhitespaceAndExtraFields()
{
    const QString json =
        QStringLiteral("\n{\n  \"version\" : \"1.0\",\n  \"username\": \"me@example.org\",\n"
                       "  \"tenantId\": \"t\", \"extra\": {\"nested\": [1, 2]},\n"
                       "  \"homeAccountId\": \"u.t\", \"clientId\": \"c\",\n"
                       "  \"authority\": \"login.microsoftonline.us\", \"newField\": null\n}\n");
    const auto parsed = AuthenticationRecord::deserialize(json);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(parsed.value(), (AuthenticationRecord{QStringLiteral("login.microsoftonline.us"),
                                                   QStringLiteral("c"), QStringLiteral("u.t"),
                                                   QStringLiteral("t"), QStringLiteral("me@example.org")}));
    // Extra fields are not written back: serialize() writes azure.identity's six keys only.
    QVERIFY(!parsed.value().serialize().contains(QStringLiteral("extra")));
}

void TestAuthenticationRecord::rejects_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("messageContains");

    QTest::newRow("version 2.0") << validJson(QStringLiteral("\"2.0\"")) << QStringLiteral("\"2.0\"");
    QTest::newRow("version 1") << validJson(QStringLiteral("\"1\"")) << QStringLiteral("version");
    QTest::newRow("version as number") << validJson(QStringLiteral("1.0")) << QStringLiteral("version");
    QTest::newRow("version null") << validJson(QStringLiteral("null")) << QStringLiteral("version");
    QTest::newRow("missing version") << withoutField(QStringLiteral("version"))
                                     << QStringLiteral("(missing)");
    for (const char *field : {"authority", "clientId", "homeAccountId", "tenantId", "username"}) {
        const QString name = QString::fromLatin1(field);
        QTest::addRow("missing %s", field) << withoutField(name) << name;
        QTest::addRow("%s is a number", field) << withField(name, 42) << name;
        QTest::addRow("%s is null", field) << withField(name, QJsonValue::Null) << name;
        QTest::addRow("%s is an array", field) << withField(name, QJsonArray{QStringLiteral("x")}) << name;
    }
    QTest::newRow("invalid JSON") << QStringLiteral("{\"version\": \"1.0\",") << QStringLiteral("JSON");
    QTest::newRow("not JSON") << QStringLiteral("authority=login.microsoftonline.com")
                              << QStringLiteral("JSON");
    QTest::newRow("empty") << QString() << QStringLiteral("JSON");
    QTest::newRow("array") << QStringLiteral("[") + validJson() + QStringLiteral("]")
                           << QStringLiteral("JSON");
    QTest::newRow("string") << QStringLiteral("\"1.0\"") << QStringLiteral("JSON");
}

void TestAuthenticationRecord::rejects()
{
    QFETCH(QString, json);
    QFETCH(QString, messageContains);
    const auto parsed = AuthenticationRecord::deserialize(json);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::CredentialUnavailable);
    QVERIFY2(parsed.error().message.contains(messageContains), qPrintable(parsed.error().message));
}

QTEST_GUILESS_MAIN(TestAuthenticationRecord)
#include "tst_authenticationrecord.moc"
