// The HTTP pipeline's pure parts: Retry-After parsing and form encoding.

#include "httpclient.h"

#include <QTest>

using namespace azid;
using namespace azid::detail;

namespace {
// Wed, 21 Oct 2015 07:28:00 GMT
constexpr qint64 kDate = 1445412480;
} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void parseRetryAfter_data();
    void parseRetryAfter();
    void hugeOrNonFiniteRetryAfterIsNotNegative_data();
    void hugeOrNonFiniteRetryAfterIsNotNegative();
    void formEncode();
    void userAgent();
};

void TestHttpClient::parseRetryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("seconds");

    QTest::newRow("seconds") << QByteArray("120") << kDate << qint64(120);
    QTest::newRow("zero") << QByteArray("0") << kDate << qint64(0);
    QTest::newRow("surrounding spaces") << QByteArray("  7 ") << kDate << qint64(7);
    QTest::newRow("fraction rounds up") << QByteArray("1.5") << kDate << qint64(2);
    QTest::newRow("small fraction") << QByteArray("0.2") << kDate << qint64(1);
    QTest::newRow("negative") << QByteArray("-1") << kDate << qint64(-1);
    QTest::newRow("negative fraction") << QByteArray("-0.5") << kDate << qint64(-1);
    QTest::newRow("empty") << QByteArray() << kDate << qint64(-1);
    QTest::newRow("blank") << QByteArray("   ") << kDate << qint64(-1);
    QTest::newRow("garbage") << QByteArray("soon") << kDate << qint64(-1);
    QTest::newRow("number and words") << QByteArray("120 seconds") << kDate << qint64(-1);
    // RFC 9110's preferred HTTP-date (IMF-fixdate), always in GMT: what servers send.
    QTest::newRow("http date") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << kDate - 120 << qint64(120);
    QTest::newRow("http date, now") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << kDate << qint64(0);
    QTest::newRow("http date in the past")
        << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << kDate + 3600 << qint64(0);
    QTest::newRow("numeric zone") << QByteArray("Wed, 21 Oct 2015 07:28:00 +0000") << kDate - 30
                                  << qint64(30);
    QTest::newRow("other zone") << QByteArray("Wed, 21 Oct 2015 09:28:00 +0200") << kDate - 60 << qint64(60);
    QTest::newRow("asctime date") << QByteArray("Wed Oct 21 07:28:00 2015") << kDate - 5 << qint64(5);
    QTest::newRow("bad date") << QByteArray("Wed, 32 Oct 2015 07:28:00 GMT") << kDate << qint64(-1);
}

void TestHttpClient::parseRetryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, now);
    QFETCH(qint64, seconds);
    QCOMPARE(HttpClient::parseRetryAfter(value, now), seconds);
}

void TestHttpClient::hugeOrNonFiniteRetryAfterIsNotNegative_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("twenty digits") << QByteArray("99999999999999999999");
    QTest::newRow("exponent") << QByteArray("1e300");
    QTest::newRow("infinity") << QByteArray("inf");
    QTest::newRow("nan") << QByteArray("nan");
}

void TestHttpClient::hugeOrNonFiniteRetryAfterIsNotNegative()
{
    // Either refused (-1) or a delay; never a wrapped-around negative number from an out-of-range
    // double-to-integer conversion (undefined behaviour).
    QFETCH(QByteArray, value);
    const qint64 seconds = HttpClient::parseRetryAfter(value, kDate);
    QVERIFY2(seconds == -1 || seconds >= 0, qPrintable(QString::number(seconds)));
}

void TestHttpClient::formEncode()
{
    const QByteArray body = detail::formEncode({
        {QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
        {QStringLiteral("code"), QStringLiteral("a b&c=d+\u00e9/")},
        {QStringLiteral("claims"), QString()}, // empty parameters are left out, as MSAL does
        {QStringLiteral("scope"), QStringLiteral("openid profile")},
    });
    QCOMPARE(
        body,
        QByteArray("grant_type=authorization_code&code=a%20b%26c%3Dd%2B%C3%A9%2F&scope=openid%20profile"));
    QCOMPARE(detail::formEncode({}), QByteArray());
    QCOMPARE(detail::formEncode({{QStringLiteral("only"), QString()}}), QByteArray());
}

void TestHttpClient::userAgent()
{
    const QByteArray agent = HttpClient::userAgent();
    QVERIFY2(agent.startsWith("azid/"), agent.constData());
    QVERIFY2(agent.contains(") Qt/"), agent.constData());
    QVERIFY(!agent.contains('\n'));
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
