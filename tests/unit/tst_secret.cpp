// Secret: redaction, equality, clearing, and that copies and moves keep the right values.

#include "azid/accesstoken.h"
#include "azid/secret.h"

#include <QTest>

#include <utility>

using namespace azid;

class TestSecret : public QObject
{
    Q_OBJECT

private slots:
    void redacted_data();
    void redacted();
    void equality_data();
    void equality();
    void clear();
    void copyKeepsBothValues();
    void clearingACopyLeavesTheOriginal();
    void assignmentKeepsTheSource();
    void move();
    void selfAssignment();
    void fromStringIsUtf8();
    void tokensCarrySecrets();
    void scrubByteArray();
    void scrubSharedByteArrayLeavesOtherCopies();
    void scrubString();
};

void TestSecret::redacted_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("<redacted: 0 bytes>");
    QTest::newRow("one") << QByteArray("x") << QStringLiteral("<redacted: 1 bytes>");
    QTest::newRow("token") << QByteArray("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln")
                           << QStringLiteral("<redacted: 45 bytes>");
    QTest::newRow("utf-8 counts bytes")
        << QString(QStringLiteral("\u00e9\u00e9")).toUtf8() << QStringLiteral("<redacted: 4 bytes>");
}

void TestSecret::redacted()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    const Secret secret(bytes);
    QCOMPARE(secret.redacted(), text);
    if (!bytes.isEmpty())
        QVERIFY(!secret.redacted().contains(QString::fromUtf8(bytes)));
    QCOMPARE(secret.size(), bytes.size());
    QCOMPARE(secret.isEmpty(), bytes.isEmpty());
}

void TestSecret::equality_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::newRow("same") << QByteArray("password1") << QByteArray("password1") << true;
    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("null and empty") << QByteArray() << QByteArray("") << true;
    QTest::newRow("last byte differs") << QByteArray("password1") << QByteArray("password2") << false;
    QTest::newRow("first byte differs") << QByteArray("Xassword1") << QByteArray("password1") << false;
    QTest::newRow("prefix") << QByteArray("pass") << QByteArray("password") << false;
    QTest::newRow("empty and not") << QByteArray() << QByteArray("a") << false;
    QTest::newRow("embedded nul") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
}

void TestSecret::equality()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(Secret(a) == Secret(b), equal);
    QCOMPARE(Secret(b) == Secret(a), equal);
}

void TestSecret::clear()
{
    Secret secret(QByteArray("refresh-token"));
    QVERIFY(!secret.isEmpty());
    secret.clear();
    QVERIFY(secret.isEmpty());
    QCOMPARE(secret.size(), 0);
    QCOMPARE(secret.reveal(), QByteArray());
    QCOMPARE(secret.redacted(), QStringLiteral("<redacted: 0 bytes>"));
    secret.clear(); // twice is fine
    QVERIFY(secret.isEmpty());
}

void TestSecret::copyKeepsBothValues()
{
    const Secret original = Secret::fromString(QStringLiteral("access-token"));
    const Secret copy(original);
    QCOMPARE(copy.revealString(), QStringLiteral("access-token"));
    QCOMPARE(original.revealString(), QStringLiteral("access-token"));
    QVERIFY(copy == original);
}

void TestSecret::clearingACopyLeavesTheOriginal()
{
    Secret original = Secret::fromString(QStringLiteral("shared-token"));
    {
        Secret copy = original;
        copy.clear();
        QVERIFY(copy.isEmpty());
        QCOMPARE(original.revealString(), QStringLiteral("shared-token"));
        Secret another = original;
        // `another` is destroyed here: its destructor must not wipe the bytes `original` shares.
    }
    QCOMPARE(original.revealString(), QStringLiteral("shared-token"));

    Secret copy = original;
    original.clear();
    QCOMPARE(copy.revealString(), QStringLiteral("shared-token"));
}

void TestSecret::assignmentKeepsTheSource()
{
    const Secret source = Secret::fromString(QStringLiteral("new-value"));
    Secret target = Secret::fromString(QStringLiteral("old-value"));
    target = source;
    QCOMPARE(target.revealString(), QStringLiteral("new-value"));
    QCOMPARE(source.revealString(), QStringLiteral("new-value"));

    // Reassigning a secret that shares its bytes with another must not wipe the other's.
    Secret first = Secret::fromString(QStringLiteral("first"));
    Secret sharing = first;
    first = Secret::fromString(QStringLiteral("second"));
    QCOMPARE(sharing.revealString(), QStringLiteral("first"));
    QCOMPARE(first.revealString(), QStringLiteral("second"));
}

void TestSecret::move()
{
    Secret source = Secret::fromString(QStringLiteral("moved"));
    Secret moved(std::move(source));
    QCOMPARE(moved.revealString(), QStringLiteral("moved"));

    Secret target = Secret::fromString(QStringLiteral("old"));
    target = std::move(moved);
    QCOMPARE(target.revealString(), QStringLiteral("moved"));

    // A moved-to secret is independent of later changes to anything else.
    Secret other = Secret::fromString(QStringLiteral("other"));
    other.clear();
    QCOMPARE(target.revealString(), QStringLiteral("moved"));
}

void TestSecret::selfAssignment()
{
    Secret secret = Secret::fromString(QStringLiteral("self"));
    Secret &alias = secret;
    secret = alias;
    QCOMPARE(secret.revealString(), QStringLiteral("self"));
    secret = std::move(alias);
    QCOMPARE(secret.revealString(), QStringLiteral("self"));
}

void TestSecret::fromStringIsUtf8()
{
    const Secret secret = Secret::fromString(QStringLiteral("p\u00e4ss\U0001F511"));
    QCOMPARE(secret.reveal(), QByteArray("p\xc3\xa4ss\xf0\x9f\x94\x91"));
    QCOMPARE(secret.revealString(), QStringLiteral("p\u00e4ss\U0001F511"));
    QCOMPARE(secret.size(), 9);
}

void TestSecret::tokensCarrySecrets()
{
    AccessToken token{Secret::fromString(QStringLiteral("at")), 1700000000};
    AccessToken copy = token;
    token.token.clear();
    QCOMPARE(copy.token.revealString(), QStringLiteral("at"));
    QCOMPARE(copy.expiresOn, qint64(1700000000));

    AccessTokenInfo info;
    QCOMPARE(info.tokenType, QStringLiteral("Bearer"));
    QVERIFY(info.token.isEmpty());
    QVERIFY(!info.refreshOn);
}

void TestSecret::scrubByteArray()
{
    QByteArray bytes("sensitive");
    bytes.detach();
    scrub(bytes);
    QVERIFY(bytes.isEmpty());
}

void TestSecret::scrubSharedByteArrayLeavesOtherCopies()
{
    QByteArray original("sensitive");
    QByteArray shared = original;
    scrub(shared);
    QVERIFY(shared.isEmpty());
    QCOMPARE(original, QByteArray("sensitive"));

    // Static data (a literal) is never written to.
    QByteArray literal = QByteArrayLiteral("literal");
    scrub(literal);
    QVERIFY(literal.isEmpty());
    QCOMPARE(QByteArrayLiteral("literal"), QByteArray("literal"));
}

void TestSecret::scrubString()
{
    QString text = QStringLiteral("password");
    QString copy = text;
    scrub(copy);
    QVERIFY(copy.isEmpty());
    QCOMPARE(text, QStringLiteral("password"));

    QString own = QString::fromUtf8("password");
    scrub(own);
    QVERIFY(own.isEmpty());
}

QTEST_GUILESS_MAIN(TestSecret)
#include "tst_secret.moc"
