// Entra's error answers as AuthErrors (errorFromResponse), AuthError's one-line form, and the
// typed reasons of failures that brought no usable answer (the HTTP client's transport failures,
// answers the protocol does not allow).

#include "azid/errors.h"
#include "httpclient.h"
#include "oauth.h"

#include <QFuture>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace azid;
using namespace azid::detail;

namespace {

const QString kContext = QStringLiteral("Authentication failed");
const QString kRequestId = QStringLiteral("6f1e3c4a-0000-4000-8000-00000000c1d0");
const QString kTraceId = QStringLiteral("0ce62a6f-6c1c-4a8f-9b0e-0f3d5b7a2100");
const QString kCorrelationId = QStringLiteral("9a8b7c6d-1111-2222-3333-444455556666");

// An error body as Entra sends it: the description carries trace id, correlation id and timestamp
// lines after the first.
QByteArray entraBody(const QString &error, int code, const QString &firstLine, const QString &suberror = {},
                     const QString &claims = {}, bool withCorrelation = true)
{
    QJsonObject body{
        {QStringLiteral("error"), error},
        {QStringLiteral("error_description"),
         QStringLiteral(
             "AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: 2024-05-01 10:11:12Z")
             .arg(code)
             .arg(firstLine, kTraceId, kCorrelationId)},
        {QStringLiteral("error_codes"), QJsonArray{code}},
        {QStringLiteral("timestamp"), QStringLiteral("2024-05-01 10:11:12Z")},
        {QStringLiteral("trace_id"), kTraceId},
        {QStringLiteral("error_uri"),
         QStringLiteral("https://login.microsoftonline.com/error?code=%1").arg(code)},
    };
    if (withCorrelation)
        body.insert(QStringLiteral("correlation_id"), kCorrelationId);
    if (!suberror.isEmpty())
        body.insert(QStringLiteral("suberror"), suberror);
    if (!claims.isEmpty())
        body.insert(QStringLiteral("claims"), claims);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// The answer the HTTP client gets for `url`, sent once (no retries).
HttpResponse fetch(const QUrl &url, HttpOptions options = {})
{
    options.maxRetries = 0;
    HttpClient client(options);
    HttpRequest request;
    request.url = url;
    QFuture<HttpResponse> future = client.send(request);
    // The transfer timeout ends every request; the wait only has to outlast it.
    const auto enough = 2 * options.transferTimeout.count() + 10000;
    const bool finished =
        QTest::qWaitFor([&future]() { return future.isFinished(); }, static_cast<int>(enough));
    return finished ? future.result() : HttpResponse{};
}

// A local port where nothing listens (it was free a moment ago).
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost))
        return 1; // nothing listens on port 1 either
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// A server on the loopback that reads what it is sent and answers with `answer` (nothing: it stays
// silent), for a client that expects TLS.
class PlainServer : public QTcpServer
{
public:
    explicit PlainServer(QByteArray answer) : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this]() {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket]() {
                    socket->readAll();
                    if (!m_answer.isEmpty())
                        socket->write(m_answer);
                });
            }
        });
        if (!listen(QHostAddress::LocalHost))
            qWarning("cannot listen on the loopback"); // the tests check isListening()
    }

    QUrl httpsUrl() const { return QUrl(QStringLiteral("https://127.0.0.1:%1/token").arg(serverPort())); }

private:
    QByteArray m_answer;
};

HttpResponse response(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.clientRequestId = kRequestId;
    r.headers.insert("content-type", "application/json; charset=utf-8");
    return r;
}

} // namespace

class TestErrors : public QObject
{
    Q_OBJECT

private slots:
    void entraErrors_data();
    void entraErrors();
    void codeTakenFromDescriptionWhenNoErrorCodes();
    void requestIdUsedWhenBodyHasNoCorrelationId();
    void descriptionWithBareNewlines();
    void emptyDescriptionFallsBackToErrorField();
    void unexpectedBodies_data();
    void unexpectedBodies();
    void transportFailure();

    void reasonOfNetworkErrors_data();
    void reasonOfNetworkErrors();
    void tlsFailureFromHttpClient();
    void refusedConnectionFromHttpClient();
    void proxyFailureFromHttpClient();
    void timeoutFromHttpClient();
    void unreadableCaBundleIsConfiguration();
    void malformedAnswersAreProtocol();
    void entraRefusalHasNoReason();
    void reasonHelpers();

    void toString_data();
    void toString();
    void kindNames_data();
    void kindNames();
    void factories();
};

void TestErrors::entraErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("oauthError");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("firstLine");
    QTest::addColumn<QString>("suberror");
    QTest::addColumn<QString>("claims");

    const QString mfaClaims = QStringLiteral(
        R"({"access_token":{"capolids":{"essential":true,"values":["a5f3b2c1-0000-4000-8000-000000000001"]}}})");
    QTest::newRow("50126 wrong password")
        << 400 << QStringLiteral("invalid_grant") << 50126
        << QStringLiteral("Error validating credentials due to invalid username or password.") << QString()
        << QString();
    QTest::newRow("50076 MFA required")
        << 400 << QStringLiteral("invalid_grant") << 50076
        << QStringLiteral(
               "Due to a configuration change made by your administrator, or because you moved to a new "
               "location, you must use multi-factor authentication to access "
               "'797f4846-ba00-4fd7-ba43-dac1f8f63013'.")
        << QStringLiteral("basic_action") << mfaClaims;
    QTest::newRow("50079 MFA enrollment")
        << 400 << QStringLiteral("invalid_grant") << 50079
        << QStringLiteral(
               "Due to a configuration change made by your administrator, or because you moved to a new "
               "location, you must enroll in multi-factor authentication to access "
               "'797f4846-ba00-4fd7-ba43-dac1f8f63013'.")
        << QStringLiteral("basic_action") << QString();
    QTest::newRow("65001 consent")
        << 400 << QStringLiteral("invalid_grant") << 65001
        << QStringLiteral(
               "The user or administrator has not consented to use the application with ID "
               "'04b07795-8ddb-461a-bbee-02f9e1bf7b46' named 'Microsoft Azure CLI'. Send an interactive "
               "authorization request for this user and resource.")
        << QStringLiteral("consent_required") << QString();
    QTest::newRow("70008 refresh token expired")
        << 400 << QStringLiteral("invalid_grant") << 70008
        << QStringLiteral(
               "The provided authorization code or refresh token has expired due to inactivity. Send a "
               "new interactive authorization request for this user and resource.")
        << QStringLiteral("bad_token") << QString();
    QTest::newRow("54005 code redeemed")
        << 400 << QStringLiteral("invalid_grant") << 54005
        << QStringLiteral(
               "OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
               "use an existing refresh token.")
        << QString() << QString();
    QTest::newRow("501481 PKCE mismatch")
        << 400 << QStringLiteral("invalid_grant") << 501481
        << QStringLiteral("The Code_Verifier does not match the code_challenge supplied in the authorization "
                          "request.")
        << QString() << QString();
    QTest::newRow("9001023 grant not on common")
        << 400 << QStringLiteral("invalid_request") << 9001023
        << QStringLiteral(
               "The grant type is not supported over the /common or /consumers endpoints. Please use "
               "the /organizations or tenant-specific endpoint.")
        << QString() << QString();
    QTest::newRow("90002 tenant not found")
        << 400 << QStringLiteral("invalid_request") << 90002
        << QStringLiteral(
               "Tenant 'contoso.example' not found. Check to make sure you have the correct tenant ID "
               "and are signing into the correct cloud.")
        << QString() << QString();
    QTest::newRow("700016 unknown application")
        << 400 << QStringLiteral("unauthorized_client") << 700016
        << QStringLiteral(
               "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the "
               "directory 'Contoso'.")
        << QString() << QString();
    QTest::newRow("7000215 invalid client secret")
        << 401 << QStringLiteral("invalid_client") << 7000215
        << QStringLiteral(
               "Invalid client secret provided. Ensure the secret being sent in the request is the "
               "client secret value, not the client secret ID.")
        << QString() << QString();
}

void TestErrors::entraErrors()
{
    QFETCH(int, status);
    QFETCH(QString, oauthError);
    QFETCH(int, code);
    QFETCH(QString, firstLine);
    QFETCH(QString, suberror);
    QFETCH(QString, claims);

    const AuthError error = errorFromResponse(
        response(status, entraBody(oauthError, code, firstLine, suberror, claims)), kContext);
    QCOMPARE(error.kind, ErrorKind::ClientAuthentication);
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.oauthError, oauthError);
    QCOMPARE(error.errorCodes, QList<int>{code});
    QVERIFY(error.hasCode(code));
    QVERIFY(!error.hasCode(code + 1));
    QCOMPARE(error.suberror, suberror);
    QCOMPARE(error.claims, claims);
    QCOMPARE(error.correlationId, kCorrelationId); // the body's, not the request's
    QCOMPARE(error.traceId, kTraceId);
    QVERIFY2(error.message.startsWith(kContext + QStringLiteral(": ")), qPrintable(error.message));
    QVERIFY2(error.message.contains(QStringLiteral("AADSTS%1: %2").arg(code).arg(firstLine)),
             qPrintable(error.message));
    // Only the first line: Entra's trace, correlation and timestamp lines are kept as fields instead.
    QVERIFY2(!error.message.contains(QStringLiteral("Trace ID")), qPrintable(error.message));
    QVERIFY2(!error.message.contains(QStringLiteral("Timestamp")), qPrintable(error.message));
    QVERIFY(!error.message.contains(QLatin1Char('\n')));
    QVERIFY(!error.message.contains(QLatin1Char('\r')));
}

void TestErrors::codeTakenFromDescriptionWhenNoErrorCodes()
{
    const QByteArray body = R"({"error":"invalid_grant","error_description":"AADSTS50126: Error validating )"
                            R"(credentials due to invalid username or password.\r\nTrace ID: x"})";
    const AuthError error = errorFromResponse(response(400, body), kContext);
    QCOMPARE(error.errorCodes, QList<int>{50126});
    QCOMPARE(error.message,
             kContext +
                 QStringLiteral(": AADSTS50126: Error validating credentials due to invalid username or "
                                "password."));

    const QByteArray noCode =
        R"({"error":"invalid_grant","error_description":"Something else. AADSTS50126"})";
    QVERIFY(errorFromResponse(response(400, noCode), kContext).errorCodes.isEmpty());
}

void TestErrors::requestIdUsedWhenBodyHasNoCorrelationId()
{
    const AuthError error =
        errorFromResponse(response(400, entraBody(QStringLiteral("invalid_grant"), 50126,
                                                  QStringLiteral("Wrong password."), {}, {}, false)),
                          kContext);
    QCOMPARE(error.correlationId, kRequestId);
    QCOMPARE(error.traceId, kTraceId);
}

void TestErrors::descriptionWithBareNewlines()
{
    const QByteArray body = R"({"error":"access_denied","error_description":"AADSTS65004: User declined to )"
                            R"(consent.\nTrace ID: t\nCorrelation ID: c","error_codes":[65004]})";
    const AuthError error = errorFromResponse(response(400, body), kContext);
    QCOMPARE(error.message, kContext + QStringLiteral(": AADSTS65004: User declined to consent."));
    QCOMPARE(error.oauthError, QStringLiteral("access_denied"));
}

void TestErrors::emptyDescriptionFallsBackToErrorField()
{
    const AuthError error =
        errorFromResponse(response(400, R"({"error":"invalid_scope"})"), QStringLiteral("Sign-in failed"));
    QCOMPARE(error.message, QStringLiteral("Sign-in failed: invalid_scope"));
    QCOMPARE(error.oauthError, QStringLiteral("invalid_scope"));
    QVERIFY(error.errorCodes.isEmpty());
    QCOMPARE(error.correlationId, kRequestId);
}

void TestErrors::unexpectedBodies_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("isJson");

    QTest::newRow("400 html") << 400 << QByteArray("<html><body><h1>Bad Request</h1></body></html>") << false;
    QTest::newRow("404 empty") << 404 << QByteArray() << false;
    QTest::newRow("500 text") << 500 << QByteArray("Internal Server Error") << false;
    QTest::newRow("503 html") << 503 << QByteArray("<html>Service Unavailable</html>") << false;
    QTest::newRow("502 json without error") << 502 << QByteArray(R"({"message":"bad gateway"})") << true;
    QTest::newRow("400 json array") << 400 << QByteArray(R"(["invalid_grant"])") << false;
}

void TestErrors::unexpectedBodies()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, isJson);
    const AuthError error = errorFromResponse(response(status, body), kContext);
    QCOMPARE(error.kind, ErrorKind::ClientAuthentication);
    QCOMPARE(error.httpStatus, status);
    QVERIFY(error.oauthError.isEmpty());
    QVERIFY(error.errorCodes.isEmpty());
    QCOMPARE(error.correlationId, kRequestId);
    QVERIFY2(error.message.startsWith(kContext + QStringLiteral(": ")), qPrintable(error.message));
    QVERIFY2(error.message.contains(QStringLiteral("HTTP %1").arg(status)), qPrintable(error.message));
    QCOMPARE(error.message.contains(QStringLiteral("not JSON")), !isJson);
    QCOMPARE(error.reason, ErrorReason::Protocol);
    // The body is not echoed: it may be a proxy's page of any size.
    if (!body.isEmpty())
        QVERIFY2(!error.message.contains(QString::fromUtf8(body)), qPrintable(error.message));
}

void TestErrors::transportFailure()
{
    HttpResponse r;
    r.status = 0;
    r.transportError =
        QStringLiteral("Connection refused. Nothing is listening there: check the authority URL "
                       "and port.");
    r.transportReason = ErrorReason::Transport;
    r.clientRequestId = kRequestId;
    const AuthError error = errorFromResponse(r, QStringLiteral("Unable to reach the authority"));
    QCOMPARE(error.kind, ErrorKind::ClientAuthentication);
    QCOMPARE(error.reason, ErrorReason::Transport);
    QCOMPARE(error.httpStatus, 0);
    QCOMPARE(error.message, QStringLiteral("Unable to reach the authority: ") + r.transportError);
    QCOMPARE(error.correlationId, kRequestId);
    QVERIFY(error.oauthError.isEmpty());
    QVERIFY(error.errorCodes.isEmpty());
}

void TestErrors::reasonOfNetworkErrors_data()
{
    QTest::addColumn<int>("networkError");
    QTest::addColumn<int>("reason");
    const auto row = [](const char *name, QNetworkReply::NetworkError error, ErrorReason reason) {
        QTest::newRow(name) << int(error) << int(reason);
    };
    row("TLS handshake", QNetworkReply::SslHandshakeFailedError, ErrorReason::Tls);
    row("aborted by the transfer timeout", QNetworkReply::OperationCanceledError, ErrorReason::Timeout);
    row("socket timeout", QNetworkReply::TimeoutError, ErrorReason::Timeout);
    row("proxy timeout", QNetworkReply::ProxyTimeoutError, ErrorReason::Timeout);
    row("proxy refused", QNetworkReply::ProxyConnectionRefusedError, ErrorReason::Proxy);
    row("proxy closed", QNetworkReply::ProxyConnectionClosedError, ErrorReason::Proxy);
    row("proxy not found", QNetworkReply::ProxyNotFoundError, ErrorReason::Proxy);
    row("proxy wants credentials", QNetworkReply::ProxyAuthenticationRequiredError, ErrorReason::Proxy);
    row("unknown proxy error", QNetworkReply::UnknownProxyError, ErrorReason::Proxy);
    row("connection refused", QNetworkReply::ConnectionRefusedError, ErrorReason::Transport);
    row("host not found", QNetworkReply::HostNotFoundError, ErrorReason::Transport);
    row("closed", QNetworkReply::RemoteHostClosedError, ErrorReason::Transport);
    row("unknown network error", QNetworkReply::UnknownNetworkError, ErrorReason::Transport);
}

void TestErrors::reasonOfNetworkErrors()
{
    QFETCH(int, networkError);
    QFETCH(int, reason);
    QCOMPARE(transportReason(QNetworkReply::NetworkError(networkError), false), ErrorReason(reason));
    // Through a proxy, the connection that failed is the proxy's; what names its cause stays.
    const ErrorReason throughProxy =
        ErrorReason(reason) == ErrorReason::Transport ? ErrorReason::Proxy : ErrorReason(reason);
    QCOMPARE(transportReason(QNetworkReply::NetworkError(networkError), true), throughProxy);
}

void TestErrors::tlsFailureFromHttpClient()
{
    // An http server where https was expected: the TLS handshake fails on its plain-text answer.
    PlainServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    QVERIFY(server.isListening());
    const HttpResponse answer = fetch(server.httpsUrl());
    QCOMPARE(answer.status, 0);
    QVERIFY2(!answer.transportError.isEmpty(), "no description of the failure");
    QCOMPARE(answer.transportReason, ErrorReason::Tls);
    const AuthError error = errorFromResponse(answer, kContext);
    QCOMPARE(error.reason, ErrorReason::Tls);
    QCOMPARE(error.storage, StorageFailure::None);
    QVERIFY(error.suberror.isEmpty());
}

void TestErrors::refusedConnectionFromHttpClient()
{
    const HttpResponse answer = fetch(QUrl(QStringLiteral("https://127.0.0.1:%1/token").arg(closedPort())));
    QCOMPARE(answer.status, 0);
    QCOMPARE(answer.transportReason, ErrorReason::Transport);
    QCOMPARE(errorFromResponse(answer, kContext).reason, ErrorReason::Transport);
}

void TestErrors::proxyFailureFromHttpClient()
{
    // Only hosts other than the loopback go through the proxy; the proxy itself is not there.
    HttpOptions options;
    options.proxy = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
    const HttpResponse answer = fetch(QUrl(QStringLiteral("https://login.invalid/token")), options);
    QCOMPARE(answer.status, 0);
    QCOMPARE(answer.transportReason, ErrorReason::Proxy);
    QCOMPARE(errorFromResponse(answer, kContext).reason, ErrorReason::Proxy);
}

void TestErrors::timeoutFromHttpClient()
{
    PlainServer silent{QByteArray()};
    QVERIFY(silent.isListening());
    HttpOptions options;
    options.transferTimeout = std::chrono::milliseconds(300);
    const HttpResponse answer = fetch(silent.httpsUrl(), options);
    QCOMPARE(answer.status, 0);
    QCOMPARE(answer.transportReason, ErrorReason::Timeout);
    QVERIFY2(answer.transportError.startsWith(QStringLiteral("No answer from 127.0.0.1")),
             qPrintable(answer.transportError));
    QCOMPARE(errorFromResponse(answer, kContext).reason, ErrorReason::Timeout);
}

void TestErrors::unreadableCaBundleIsConfiguration()
{
    QTemporaryDir dir;
    HttpOptions options;
    options.caBundleFile = dir.filePath(QStringLiteral("missing.pem"));
    const HttpResponse answer =
        fetch(QUrl(QStringLiteral("https://127.0.0.1:%1/").arg(closedPort())), options);
    QCOMPARE(answer.status, 0);
    QCOMPARE(answer.transportReason, ErrorReason::Configuration);
    QVERIFY2(answer.transportError.contains(options.caBundleFile), qPrintable(answer.transportError));
}

void TestErrors::malformedAnswersAreProtocol()
{
    const auto tokenError = [](const QByteArray &body) {
        const Result<TokenResponse> parsed = parseTokenResponse(response(200, body), kContext);
        return parsed.ok() ? AuthError() : parsed.error();
    };
    QCOMPARE(tokenError("not json").reason, ErrorReason::Protocol);
    QCOMPARE(tokenError(R"({"token_type":"Bearer"})").reason, ErrorReason::Protocol);
    QCOMPARE(tokenError(R"({"access_token":"a","id_token":"not.a-jwt"})").reason, ErrorReason::Protocol);
    const Result<TokenResponse> good = parseTokenResponse(response(200, R"({"access_token":"a"})"), kContext);
    QVERIFY(good.ok());

    const Result<DeviceCodeResponse> device =
        parseDeviceCodeResponse(response(200, R"({"user_code":"ABC"})"), kContext);
    QVERIFY(!device.ok());
    QCOMPARE(device.error().reason, ErrorReason::Protocol);
}

void TestErrors::entraRefusalHasNoReason()
{
    // The authority answered: its codes say why, and its suberror stays its own.
    const AuthError error = errorFromResponse(
        response(400, entraBody(QStringLiteral("invalid_grant"), 50076, QStringLiteral("MFA required."),
                                QStringLiteral("basic_action"))),
        kContext);
    QCOMPARE(error.reason, ErrorReason::None);
    QCOMPARE(error.storage, StorageFailure::None);
    QCOMPARE(error.suberror, QStringLiteral("basic_action"));
}

void TestErrors::reasonHelpers()
{
    AuthError storage = AuthError::unavailable(QStringLiteral("locked"));
    storage.reason = ErrorReason::Storage;
    storage.storage = StorageFailure::KeychainLocked;
    const AuthError copied = storage; // errors travel by value, reason and failure with them
    QCOMPARE(copied.reason, ErrorReason::Storage);
    QCOMPARE(copied.storage, StorageFailure::KeychainLocked);

    const AuthError tls = storage.withReason(ErrorReason::Tls);
    QCOMPARE(tls.reason, ErrorReason::Tls);
    QCOMPARE(tls.storage, StorageFailure::None);
    QCOMPARE(tls.message, storage.message);

    const AuthError configuration = AuthError::configuration(QStringLiteral("an empty secret"));
    QCOMPARE(configuration.reason, ErrorReason::Configuration);
    QVERIFY(configuration.invalidConfiguration);
    QCOMPARE(AuthError::authentication(QStringLiteral("x")).reason, ErrorReason::None);
}

void TestErrors::toString_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QList<int>>("codes");
    QTest::addColumn<QString>("correlationId");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << int(ErrorKind::ClientAuthentication) << QStringLiteral("It failed.")
                           << QList<int>{} << QString()
                           << QStringLiteral("ClientAuthenticationError: It failed.");
    QTest::newRow("code and correlation")
        << int(ErrorKind::ClientAuthentication) << QStringLiteral("Authentication failed: AADSTS50076: MFA.")
        << QList<int>{50076} << QStringLiteral("abc-123")
        << QStringLiteral("ClientAuthenticationError: Authentication failed: AADSTS50076: MFA. [AADSTS50076] "
                          "(correlation id: "
                          "abc-123)");
    QTest::newRow("several codes") << int(ErrorKind::ClientAuthentication) << QStringLiteral("x")
                                   << QList<int>{50126, 7000215} << QString()
                                   << QStringLiteral(
                                          "ClientAuthenticationError: x [AADSTS50126 AADSTS7000215]");
    QTest::newRow("newlines removed")
        << int(ErrorKind::CredentialUnavailable) << QStringLiteral("first line\r\nsecond line\nthird")
        << QList<int>{} << QStringLiteral("id")
        << QStringLiteral("CredentialUnavailableError: first line second line third "
                          "(correlation id: id)");
    QTest::newRow("required") << int(ErrorKind::AuthenticationRequired) << QStringLiteral("Sign in.")
                              << QList<int>{} << QString()
                              << QStringLiteral("AuthenticationRequiredError: Sign in.");
}

void TestErrors::toString()
{
    QFETCH(int, kind);
    QFETCH(QString, message);
    QFETCH(QList<int>, codes);
    QFETCH(QString, correlationId);
    QFETCH(QString, expected);
    AuthError error;
    error.kind = static_cast<ErrorKind>(kind);
    error.message = message;
    error.errorCodes = codes;
    error.correlationId = correlationId;
    const QString line = error.toString();
    QCOMPARE(line, expected);
    QVERIFY(!line.contains(QLatin1Char('\n')) && !line.contains(QLatin1Char('\r')));
}

void TestErrors::kindNames_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("unavailable");
    QTest::newRow("unavailable") << int(ErrorKind::CredentialUnavailable)
                                 << QStringLiteral("CredentialUnavailableError") << true;
    QTest::newRow("authentication") << int(ErrorKind::ClientAuthentication)
                                    << QStringLiteral("ClientAuthenticationError") << false;
    QTest::newRow("required") << int(ErrorKind::AuthenticationRequired)
                              << QStringLiteral("AuthenticationRequiredError") << true;
}

void TestErrors::kindNames()
{
    QFETCH(int, kind);
    QFETCH(QString, name);
    QFETCH(bool, unavailable);
    QCOMPARE(AuthError::kindName(static_cast<ErrorKind>(kind)), name);
    AuthError error;
    error.kind = static_cast<ErrorKind>(kind);
    QCOMPARE(error.isUnavailable(), unavailable);
}

void TestErrors::factories()
{
    const AuthError unavailable = AuthError::unavailable(QStringLiteral("nothing cached"));
    QCOMPARE(unavailable.kind, ErrorKind::CredentialUnavailable);
    QCOMPARE(unavailable.message, QStringLiteral("nothing cached"));

    const AuthError failed = AuthError::authentication(QStringLiteral("refused"));
    QCOMPARE(failed.kind, ErrorKind::ClientAuthentication);
    QCOMPARE(failed.httpStatus, 0);

    const QStringList scopes{QStringLiteral("https://management.azure.com/.default")};
    const QString claims = QStringLiteral(R"({"access_token":{"acrs":{"essential":true}}})");
    const AuthError required = AuthError::authenticationRequired(scopes, claims);
    QCOMPARE(required.kind, ErrorKind::AuthenticationRequired);
    QCOMPARE(required.scopes, scopes);
    QCOMPARE(required.claims, claims);
    QVERIFY(required.message.contains(QStringLiteral("authenticate")));
    QCOMPARE(AuthError::authenticationRequired(scopes, {}, QStringLiteral("custom")).message,
             QStringLiteral("custom"));
}

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"
