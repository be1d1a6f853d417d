// The one-shot redirect listener of the browser sign-in, driven by real TCP clients on 127.0.0.1 and [::1].

#include "loopbackserver.h"

#include <QHostAddress>
#include <QList>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace azid::detail;

namespace {

const QString kState = QStringLiteral("qWeRtYuIoPaSdFgH");
const QByteArray kClientInfo = "eyJ1aWQiOiJ1MSIsInV0aWQiOiJ0MSJ9";

struct Answer
{
    int status = 0; // 0: no answer
    QByteArray headers;
    QByteArray body;
};

Answer parseAnswer(const QByteArray &raw)
{
    Answer answer;
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return answer;
    answer.headers = raw.left(end);
    answer.body = raw.mid(end + 4);
    const QList<QByteArray> statusLine = answer.headers.left(answer.headers.indexOf("\r\n")).split(' ');
    if (statusLine.size() >= 2 && statusLine[0].startsWith("HTTP/1."))
        answer.status = statusLine[1].toInt();
    return answer;
}

// A TCP client that runs on the test's event loop, as the server does.
class Client
{
public:
    explicit Client(quint16 port, QHostAddress::SpecialAddress address = QHostAddress::LocalHost)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this]() { m_received += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress(address), port);
    }

    bool waitConnected()
    {
        return QTest::qWaitFor([this]() { return m_socket.state() == QAbstractSocket::ConnectedState; },
                               10000);
    }

    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    // Waits until the server has closed the connection, and returns what it sent.
    Answer answer()
    {
        if (!QTest::qWaitFor([this]() { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                             15000))
            qWarning("the server did not close the connection");
        m_received += m_socket.readAll();
        return parseAnswer(m_received);
    }

    QAbstractSocket::SocketState state() const { return m_socket.state(); }
    QAbstractSocket::SocketError error() const { return m_socket.error(); }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray get(const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\nAccept: text/html\r\n\r\n";
}

QByteArray redirect(const QByteArray &query)
{
    return get("/?" + query);
}

} // namespace

class TestLoopbackServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void bindsLoopbackOnly();
    void redirectOverIpv6();
    void hostileIpv6OccupantStopsTheSignIn();
    void connectionCapClosesTheOldest();
    void validRedirectEmitsOnceAndStops();
    void percentEncodedValuesAreDecoded();
    void requestInSeveralPieces();
    void wrongState_data();
    void wrongState();
    void garbage_data();
    void garbage();
    void otherPaths_data();
    void otherPaths();
    void otherMethods();
    void oversizedRequest();
    void halfSentRequestDoesNotBlockAValidOne();
    void errorRedirect();
    void errorDescriptionWithPlusForSpaces();
    void errorDescriptionIsEscapedInThePage();
    void portInUse();
    void htmlEscape_data();
    void htmlEscape();
    void parseRequest_data();
    void parseRequest();

private:
    quint16 start();
    Answer exchange(const QByteArray &request);

    std::unique_ptr<LoopbackServer> m_server;
    QList<AuthorizationRedirect> m_redirects;
};

void TestLoopbackServer::init()
{
    m_redirects.clear();
    m_server = std::make_unique<LoopbackServer>(kState);
    connect(m_server.get(), &LoopbackServer::redirectReceived, this,
            [this](const AuthorizationRedirect &r) { m_redirects.append(r); });
}

void TestLoopbackServer::cleanup()
{
    m_server.reset();
}

quint16 TestLoopbackServer::start()
{
    if (!m_server->listen(0))
        qWarning("listen failed: %s", qPrintable(m_server->errorString()));
    return m_server->port();
}

Answer TestLoopbackServer::exchange(const QByteArray &request)
{
    Client client(m_server->port());
    if (!client.waitConnected())
        return {};
    client.send(request);
    return client.answer();
}

void TestLoopbackServer::bindsLoopbackOnly()
{
    // Both halves of "localhost", on the same port, and nothing but loopback.
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));
    QVERIFY(m_server->port() != 0);
    QCOMPARE(m_server->redirectHost(), QStringLiteral("localhost"));
    QSet<QString> bound;
    for (const QTcpServer *tcp : m_server->findChildren<QTcpServer *>()) {
        QVERIFY(tcp->isListening());
        QCOMPARE(tcp->serverPort(), m_server->port());
        bound.insert(tcp->serverAddress().toString());
    }
    QCOMPARE(bound, (QSet<QString>{QStringLiteral("127.0.0.1"), QStringLiteral("::1")}));
}

void TestLoopbackServer::redirectOverIpv6()
{
    // A browser that resolves localhost to ::1 first reaches the listener too.
    const quint16 port = start();
    Client client(port, QHostAddress::LocalHostIPv6);
    QVERIFY(client.waitConnected());
    client.send(redirect("code=over-ipv6&state=" + kState.toLatin1()));
    QCOMPARE(client.answer().status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("over-ipv6"));
}

void TestLoopbackServer::hostileIpv6OccupantStopsTheSignIn()
{
    // Another local user listens on [::1]:PORT first, waiting for a browser that resolves localhost to
    // ::1. The listener refuses that port instead of advertising http://localhost:PORT...
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress(QHostAddress::LocalHostIPv6), 0));
    const quint16 taken = occupant.serverPort();
    QVERIFY(!m_server->listen(taken));
    QVERIFY2(m_server->errorString().contains(QStringLiteral("[::1]")), qPrintable(m_server->errorString()));
    for (const QTcpServer *tcp : m_server->findChildren<QTcpServer *>())
        QVERIFY(!tcp->isListening());
    // ...and once the listener holds both, nobody else can take the other half.
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));
    QTcpServer late;
    QVERIFY(!late.listen(QHostAddress(QHostAddress::LocalHostIPv6), m_server->port()));
    QVERIFY(!late.listen(QHostAddress(QHostAddress::LocalHost), m_server->port()));
}

void TestLoopbackServer::connectionCapClosesTheOldest()
{
    // Idle connections beyond the cap close the oldest ones; a browser's redirect still gets through.
    const quint16 port = start();
    std::vector<std::unique_ptr<Client>> idle;
    for (int i = 0; i < LoopbackServer::MaxConnections + 4; ++i) {
        idle.push_back(
            std::make_unique<Client>(port, i % 2 ? QHostAddress::LocalHost : QHostAddress::LocalHostIPv6));
        QVERIFY(idle.back()->waitConnected());
    }
    const auto closed = [&idle]() {
        return std::count_if(idle.begin(), idle.end(), [](const std::unique_ptr<Client> &c) {
            return c->state() == QAbstractSocket::UnconnectedState;
        });
    };
    QVERIFY(QTest::qWaitFor([&]() { return closed() >= 4; }, 10000));
    // The first ones went, the newest are still open.
    for (int i = 0; i < 4; ++i)
        QCOMPARE(idle[size_t(i)]->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(idle.back()->state(), QAbstractSocket::ConnectedState);
    const Answer answer = exchange(redirect("code=through&state=" + kState.toLatin1()));
    QCOMPARE(answer.status, 200);
    QCOMPARE(m_redirects.size(), 1);
}

void TestLoopbackServer::validRedirectEmitsOnceAndStops()
{
    const quint16 port = start();
    QVERIFY(port != 0);
    const Answer answer =
        exchange(redirect("code=0.AXoAv4j5cvGGr0GRqy180BHbR-code&client_info=" + kClientInfo + "&state=" +
                          kState.toLatin1() + "&session_state=5f3d8c1e-0000-4000-8000-000000000000"));
    QCOMPARE(answer.status, 200);
    QVERIFY2(answer.body.contains("Authentication complete"), answer.body.constData());
    QVERIFY(answer.headers.contains("Content-Type: text/html; charset=utf-8"));
    QVERIFY(answer.headers.contains("Content-Length: " + QByteArray::number(answer.body.size())));

    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("0.AXoAv4j5cvGGr0GRqy180BHbR-code"));
    QCOMPARE(m_redirects[0].clientInfo, QString::fromLatin1(kClientInfo));
    QVERIFY(m_redirects[0].error.isEmpty());
    QVERIFY(m_redirects[0].errorDescription.isEmpty());

    // One redirect only: the listener has stopped, so a second attempt is refused (or at most answered)
    // and never emits again.
    for (const QTcpServer *tcp : m_server->findChildren<QTcpServer *>())
        QVERIFY(!tcp->isListening());
    Client second(port);
    QVERIFY(QTest::qWaitFor(
        [&]() {
            return second.state() != QAbstractSocket::ConnectingState &&
                   second.state() != QAbstractSocket::HostLookupState;
        },
        10000));
    if (second.state() == QAbstractSocket::ConnectedState) {
        second.send(redirect("code=second&state=" + kState.toLatin1()));
        QVERIFY(second.answer().status != 200);
    } else {
        QCOMPARE(second.error(), QAbstractSocket::ConnectionRefusedError);
    }
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("0.AXoAv4j5cvGGr0GRqy180BHbR-code"));
}

void TestLoopbackServer::percentEncodedValuesAreDecoded()
{
    start();
    const Answer answer = exchange(
        redirect("state=" + kState.toLatin1() + "&code=0.AX%2Bb%2Fc%3D%3D&client_info=" + kClientInfo));
    QCOMPARE(answer.status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("0.AX+b/c=="));
}

void TestLoopbackServer::requestInSeveralPieces()
{
    const quint16 port = start();
    Client client(port);
    QVERIFY(client.waitConnected());
    const QByteArray request = redirect("code=pieces&state=" + kState.toLatin1());
    client.send(request.left(10));
    QTest::qWait(50);
    client.send(request.mid(10, 20));
    QTest::qWait(50);
    QVERIFY(m_redirects.isEmpty());
    client.send(request.mid(30));
    QCOMPARE(client.answer().status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("pieces"));
}

void TestLoopbackServer::wrongState_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("other state") << QByteArray("code=abc&state=someoneElsesState");
    QTest::newRow("no state") << QByteArray("code=abc");
    QTest::newRow("empty state") << QByteArray("code=abc&state=");
    QTest::newRow("state prefix") << QByteArray("code=abc&state=") + kState.left(8).toLatin1();
    QTest::newRow("state in other case") << QByteArray("code=abc&state=") + kState.toUpper().toLatin1();
    QTest::newRow("error with other state") << QByteArray("error=access_denied&state=nope");
}

void TestLoopbackServer::wrongState()
{
    QFETCH(QByteArray, query);
    start();
    const Answer answer = exchange(redirect(query));
    QCOMPARE(answer.status, 400);
    QVERIFY2(answer.body.contains("State mismatch"), answer.body.constData());
    QVERIFY(m_redirects.isEmpty());

    // Nothing was ended: the real redirect still gets through.
    const Answer valid = exchange(redirect("code=real&state=" + kState.toLatin1()));
    QCOMPARE(valid.status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("real"));
}

void TestLoopbackServer::garbage_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("binary") << QByteArray::fromHex("160301020001000001fc0303") + " binary\r\n\r\n";
    QTest::newRow("words") << QByteArray("hello there\r\n\r\n");
    QTest::newRow("no version") << QByteArray("GET /?code=x&state=") + kState.toLatin1() + "\r\n\r\n";
    QTest::newRow("bad version") << QByteArray("GET /?code=x&state=") + kState.toLatin1() + " SPDY/3\r\n\r\n";
    QTest::newRow("too many parts") << QByteArray("GET /?code=x HTTP/1.1 extra\r\n\r\n");
    QTest::newRow("empty request line") << QByteArray("\r\n\r\n");
}

void TestLoopbackServer::garbage()
{
    QFETCH(QByteArray, bytes);
    start();
    const Answer answer = exchange(bytes);
    QCOMPARE(answer.status, 400);
    QVERIFY(m_redirects.isEmpty());
    QCOMPARE(exchange(redirect("code=after&state=" + kState.toLatin1())).status, 200);
    QCOMPARE(m_redirects.size(), 1);
}

void TestLoopbackServer::otherPaths_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("favicon") << QByteArray("/favicon.ico");
    QTest::newRow("root") << QByteArray("/");
    QTest::newRow("other path") << QByteArray("/some/where?x=1");
    QTest::newRow("state only") << QByteArray("/?state=") + kState.toLatin1();
}

void TestLoopbackServer::otherPaths()
{
    QFETCH(QByteArray, target);
    start();
    QCOMPARE(exchange(get(target)).status, 404);
    QVERIFY(m_redirects.isEmpty());
    QCOMPARE(exchange(redirect("code=after&state=" + kState.toLatin1())).status, 200);
    QCOMPARE(m_redirects.size(), 1);
}

void TestLoopbackServer::otherMethods()
{
    start();
    const QByteArray post = "POST /?code=x&state=" + kState.toLatin1() +
                            " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n";
    QCOMPARE(exchange(post).status, 405);
    QVERIFY(m_redirects.isEmpty());
}

void TestLoopbackServer::oversizedRequest()
{
    start();
    QByteArray huge = "GET /?code=x&state=" + kState.toLatin1() + " HTTP/1.1\r\nX-Filler: ";
    huge += QByteArray(20 * 1024, 'a');
    huge += "\r\n\r\n";
    const Answer answer = exchange(huge);
    QCOMPARE(answer.status, 431);
    QVERIFY(m_redirects.isEmpty());
}

void TestLoopbackServer::halfSentRequestDoesNotBlockAValidOne()
{
    const quint16 port = start();
    Client slow(port);
    QVERIFY(slow.waitConnected());
    slow.send("GET /?code=slow&state=" + kState.toLatin1() + " HTTP/1.1\r\nHost: loc");
    QTest::qWait(50);

    const Answer valid = exchange(redirect("code=fast&state=" + kState.toLatin1()));
    QCOMPARE(valid.status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].code, QStringLiteral("fast"));

    // The slow client finishes later: it is answered, but the flow has its redirect already.
    slow.send("alhost\r\n\r\n");
    const Answer late = slow.answer();
    QVERIFY(late.status != 200);
    QCOMPARE(m_redirects.size(), 1);
}

void TestLoopbackServer::errorRedirect()
{
    start();
    const Answer answer = exchange(redirect(
        "error=access_denied&error_description=AADSTS65004%3A%20User%20declined%20to%20consent"
        "%20to%20access%20the%20app.&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror&state=" +
        kState.toLatin1()));
    QCOMPARE(answer.status, 200);
    QVERIFY2(answer.body.contains("access_denied"), answer.body.constData());
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].error, QStringLiteral("access_denied"));
    QCOMPARE(m_redirects[0].errorDescription,
             QStringLiteral("AADSTS65004: User declined to consent to access the app."));
    QVERIFY(m_redirects[0].code.isEmpty());
    for (const QTcpServer *tcp : m_server->findChildren<QTcpServer *>())
        QVERIFY(!tcp->isListening());
}

void TestLoopbackServer::errorDescriptionWithPlusForSpaces()
{
    // Entra writes the redirect's query as a form (application/x-www-form-urlencoded): spaces are '+'.
    // MSAL Python's listener decodes it with parse_qs, which turns '+' into a space.
    start();
    const Answer answer = exchange(redirect("error=access_denied&error_description=AADSTS65004%3a+User+"
                                            "declined+to+consent+to+access+the+app.&state=" +
                                            kState.toLatin1()));
    QCOMPARE(answer.status, 200);
    QCOMPARE(m_redirects.size(), 1);
    QCOMPARE(m_redirects[0].errorDescription,
             QStringLiteral("AADSTS65004: User declined to consent to access the app."));
}

void TestLoopbackServer::errorDescriptionIsEscapedInThePage()
{
    start();
    const Answer answer = exchange(redirect("error=%3Cb%3Ebad%3C%2Fb%3E&error_description=%3Cscript%3Ealert("
                                            "1)%3C%2Fscript%3E%20%26%20%22q%22%20%27s%27"
                                            "&state=" +
                                            kState.toLatin1()));
    QCOMPARE(answer.status, 200);
    QVERIFY2(!answer.body.contains("<script>"), answer.body.constData());
    QVERIFY2(!answer.body.contains("<b>bad"), answer.body.constData());
    QVERIFY2(answer.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s&#39;"),
             answer.body.constData());
    QVERIFY2(answer.body.contains("&lt;b&gt;bad&lt;/b&gt;"), answer.body.constData());
    QCOMPARE(m_redirects.size(), 1);
    // The signal carries the text as sent; only the page escapes it.
    QCOMPARE(m_redirects[0].errorDescription, QStringLiteral("<script>alert(1)</script> & \"q\" 's'"));
}

void TestLoopbackServer::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress(QHostAddress::LocalHost), 0));
    QVERIFY(!m_server->listen(occupant.serverPort()));
    QVERIFY(!m_server->errorString().isEmpty());
}

void TestLoopbackServer::htmlEscape_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("escaped");
    QTest::newRow("plain") << QStringLiteral("Signed in") << QStringLiteral("Signed in");
    QTest::newRow("tags") << QStringLiteral("<img src=x onerror=alert(1)>")
                          << QStringLiteral("&lt;img src=x onerror=alert(1)&gt;");
    QTest::newRow("ampersand") << QStringLiteral("a & b") << QStringLiteral("a &amp; b");
    QTest::newRow("quotes") << QStringLiteral("\"double\" 'single'")
                            << QStringLiteral("&quot;double&quot; &#39;single&#39;");
    QTest::newRow("already escaped") << QStringLiteral("&lt;") << QStringLiteral("&amp;lt;");
    QTest::newRow("non-ascii kept") << QStringLiteral("\u00e9\u65e5") << QStringLiteral("\u00e9\u65e5");
}

void TestLoopbackServer::htmlEscape()
{
    QFETCH(QString, text);
    QFETCH(QString, escaped);
    QCOMPARE(azid::detail::htmlEscape(text), escaped);
}

void TestLoopbackServer::parseRequest_data()
{
    // The listener's parser alone (also the fuzz target's entry point, tests/fuzz).
    using Kind = LoopbackRequest::Kind;
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("code");
    QTest::newRow("redirect") << QByteArray("GET /?code=c%2B1&state=s+1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                              << int(Kind::Redirect) << QStringLiteral("s 1") << QStringLiteral("c+1");
    QTest::newRow("error redirect") << QByteArray("GET /?error=access_denied&state=s HTTP/1.0\r\n\r\n")
                                    << int(Kind::Redirect) << QStringLiteral("s") << QString();
    QTest::newRow("incomplete") << QByteArray("GET /?code=c&state=s HTTP/1.1\r\nHost: loc")
                                << int(Kind::Incomplete) << QString() << QString();
    QTest::newRow("too large") << QByteArray(LoopbackRequest::MaxBytes + 1, 'a') << int(Kind::TooLarge)
                               << QString() << QString();
    QTest::newRow("not http") << QByteArray("HELLO\r\n\r\n") << int(Kind::NotHttp) << QString() << QString();
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << int(Kind::NotHttp) << QString()
                                << QString();
    QTest::newRow("post") << QByteArray("POST /?code=c&state=s HTTP/1.1\r\n\r\n") << int(Kind::NotGet)
                          << QString() << QString();
    QTest::newRow("favicon") << QByteArray("GET /favicon.ico HTTP/1.1\r\n\r\n") << int(Kind::NotRedirect)
                             << QString() << QString();
}

void TestLoopbackServer::parseRequest()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(QString, state);
    QFETCH(QString, code);
    const LoopbackRequest request = parseLoopbackRequest(bytes);
    QCOMPARE(int(request.kind), kind);
    QCOMPARE(request.state, state);
    QCOMPARE(request.redirect.code, code);
}

QTEST_GUILESS_MAIN(TestLoopbackServer)
#include "tst_loopbackserver.moc"
