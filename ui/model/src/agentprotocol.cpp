#include "azid/model/agentprotocol.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace azid::model::agent {
namespace {

// Version 1 of the protocol; a client and an agent of other versions do not talk.
constexpr int Version = 1;

namespace field {
const QString Version = QStringLiteral("v");
const QString Operation = QStringLiteral("op");
const QString Account = QStringLiteral("account");
const QString Scopes = QStringLiteral("scopes");
const QString Claims = QStringLiteral("claims");
const QString Tenant = QStringLiteral("tenant");
const QString Cae = QStringLiteral("cae");
const QString Answer = QStringLiteral("answer");
const QString Token = QStringLiteral("token");
const QString ExpiresOn = QStringLiteral("expires_on");
const QString RefreshOn = QStringLiteral("refresh_on");
const QString TokenType = QStringLiteral("token_type");
const QString Error = QStringLiteral("error");
const QString Username = QStringLiteral("username");
const QString SignInMethod = QStringLiteral("sign_in_method");
const QString WaitSeconds = QStringLiteral("wait_seconds");
const QString IdentityEndpoint = QStringLiteral("identity_endpoint");
const QString IdentityHeader = QStringLiteral("identity_header");
// AuthError
const QString Kind = QStringLiteral("kind");
const QString Reason = QStringLiteral("reason");
const QString Storage = QStringLiteral("storage");
const QString Message = QStringLiteral("message");
const QString OAuthError = QStringLiteral("oauth_error");
const QString Suberror = QStringLiteral("suberror");
const QString Codes = QStringLiteral("codes");
const QString CorrelationId = QStringLiteral("correlation_id");
const QString TraceId = QStringLiteral("trace_id");
const QString HttpStatus = QStringLiteral("http_status");
const QString InvalidConfiguration = QStringLiteral("invalid_configuration");
} // namespace field

const QString TokenOperation = QStringLiteral("token");
const QString EnvironmentOperation = QStringLiteral("env");
const QString TokenAnswer = QStringLiteral("token");
const QString ErrorAnswer = QStringLiteral("error");
const QString WaitingAnswer = QStringLiteral("waiting");
const QString EnvironmentAnswer = QStringLiteral("env");
const QString UnavailableAnswer = QStringLiteral("unavailable");

QByteArray line(QJsonObject object)
{
    object.insert(field::Version, Version);
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

AuthError protocolError(const QString &what)
{
    return AuthError::configuration(
               QStringLiteral("Not a request or answer of the Azid agent: %1.").arg(what))
        .withReason(ErrorReason::Protocol);
}

Result<QJsonObject> parseLine(const QByteArray &text)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return protocolError(QStringLiteral("not a JSON object"));
    const QJsonObject object = document.object();
    if (object.value(field::Version).toInt() != Version)
        return protocolError(QStringLiteral("another version of the protocol"));
    return object;
}

template <typename Enum> Enum enumFrom(const QJsonValue &value, Enum last)
{
    const int number = value.toInt();
    return number >= 0 && number <= int(last) ? Enum(number) : Enum{};
}

QJsonObject errorToJson(const AuthError &error)
{
    QJsonArray codes;
    for (int code : error.errorCodes)
        codes.append(code);
    return {{field::Kind, int(error.kind)},
            {field::Reason, int(error.reason)},
            {field::Storage, int(error.storage)},
            {field::Message, error.message},
            {field::OAuthError, error.oauthError},
            {field::Suberror, error.suberror},
            {field::Codes, codes},
            {field::CorrelationId, error.correlationId},
            {field::TraceId, error.traceId},
            {field::HttpStatus, error.httpStatus},
            {field::Scopes, QJsonArray::fromStringList(error.scopes)},
            {field::Claims, error.claims},
            {field::InvalidConfiguration, error.invalidConfiguration}};
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list << item.toString();
    return list;
}

AuthError errorFromJson(const QJsonObject &object)
{
    AuthError error;
    error.kind = enumFrom(object.value(field::Kind), ErrorKind::AuthenticationRequired);
    error.reason = enumFrom(object.value(field::Reason), ErrorReason::Configuration);
    error.storage = enumFrom(object.value(field::Storage), StorageFailure::NotPersisted);
    error.message = object.value(field::Message).toString();
    error.oauthError = object.value(field::OAuthError).toString();
    error.suberror = object.value(field::Suberror).toString();
    for (const QJsonValue &code : object.value(field::Codes).toArray())
        error.errorCodes << code.toInt();
    error.correlationId = object.value(field::CorrelationId).toString();
    error.traceId = object.value(field::TraceId).toString();
    error.httpStatus = object.value(field::HttpStatus).toInt();
    error.scopes = stringList(object.value(field::Scopes));
    error.claims = object.value(field::Claims).toString();
    error.invalidConfiguration = object.value(field::InvalidConfiguration).toBool();
    return error;
}

QJsonObject accountToJson(const AnswerAccount &account)
{
    return {{field::Username, account.username}, {field::SignInMethod, account.signInMethod}};
}

AnswerAccount accountFromJson(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    return {object.value(field::Username).toString(), object.value(field::SignInMethod).toString()};
}

AccessTokenInfo tokenFromJson(const QJsonObject &object)
{
    AccessTokenInfo token;
    token.token = Secret::fromString(object.value(field::Token).toString());
    token.expiresOn = qint64(object.value(field::ExpiresOn).toDouble());
    if (object.value(field::RefreshOn).isDouble())
        token.refreshOn = qint64(object.value(field::RefreshOn).toDouble());
    token.tokenType = object.value(field::TokenType).toString();
    return token;
}

} // namespace

QString socketDirectory()
{
    QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (runtime.isEmpty())
        runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return QDir(runtime).filePath(QStringLiteral("azid"));
}

QString socketPath(const QString &profile)
{
    const QString name = profile.isEmpty() ? QStringLiteral("default") : profile;
    return QDir(socketDirectory()).filePath(QStringLiteral("agent-%1.socket").arg(name));
}

int connectToSocket(const QString &path)
{
    const QByteArray name = QFile::encodeName(path);
    sockaddr_un address{};
    if (size_t(name.size()) >= sizeof address.sun_path)
        return -1;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

QByteArray encodeRequest(const Request &request)
{
    if (request.type == Request::Type::Environment)
        return line({{field::Operation, EnvironmentOperation}, {field::Account, request.account}});
    const TokenRequestOptions &options = request.token.options;
    return line({{field::Operation, TokenOperation},
                 {field::Account, request.token.account},
                 {field::Scopes, QJsonArray::fromStringList(options.scopes)},
                 {field::Claims, options.claims},
                 {field::Tenant, options.tenantId},
                 {field::Cae, options.enableCae}});
}

Result<Request> parseRequest(const QByteArray &text)
{
    const Result<QJsonObject> parsed = parseLine(text);
    if (!parsed.ok())
        return parsed.error();
    const QJsonObject &object = parsed.value();
    const QString operation = object.value(field::Operation).toString();
    Request request;
    if (operation == EnvironmentOperation) {
        request.type = Request::Type::Environment;
        request.account = object.value(field::Account).toString();
        return request;
    }
    if (operation != TokenOperation)
        return protocolError(QStringLiteral("no such operation"));
    request.token.account = object.value(field::Account).toString();
    request.token.options.scopes = stringList(object.value(field::Scopes));
    request.token.options.claims = object.value(field::Claims).toString();
    request.token.options.tenantId = object.value(field::Tenant).toString();
    request.token.options.enableCae = object.value(field::Cae).toBool();
    if (request.token.options.scopes.isEmpty())
        return protocolError(QStringLiteral("a token request without scopes"));
    return request;
}

QByteArray encodeToken(const AccessTokenInfo &token, const AnswerAccount &account)
{
    return line({{field::Answer, TokenAnswer},
                 {field::Token, token.token.revealString()},
                 {field::ExpiresOn, token.expiresOn},
                 {field::RefreshOn, token.refreshOn ? QJsonValue(*token.refreshOn) : QJsonValue()},
                 {field::TokenType, token.tokenType},
                 {field::Account, accountToJson(account)}});
}

QByteArray encodeError(const AuthError &error, const AnswerAccount &account)
{
    return line({{field::Answer, ErrorAnswer},
                 {field::Error, errorToJson(error)},
                 {field::Account, accountToJson(account)}});
}

QByteArray encodeWaiting(const AnswerAccount &account, int waitSeconds)
{
    return line({{field::Answer, WaitingAnswer},
                 {field::Account, accountToJson(account)},
                 {field::WaitSeconds, waitSeconds}});
}

QByteArray encodeEnvironment(const QUrl &endpoint, const Secret &header)
{
    return line({{field::Answer, EnvironmentAnswer},
                 {field::IdentityEndpoint, endpoint.toString()},
                 {field::IdentityHeader, header.revealString()}});
}

QByteArray encodeUnavailable()
{
    return line({{field::Answer, UnavailableAnswer}});
}

Result<Answer> parseAnswer(const QByteArray &text)
{
    const Result<QJsonObject> parsed = parseLine(text);
    if (!parsed.ok())
        return parsed.error();
    const QJsonObject &object = parsed.value();
    const QString type = object.value(field::Answer).toString();
    Answer answer;
    answer.account = accountFromJson(object.value(field::Account));
    if (type == TokenAnswer) {
        answer.type = Answer::Type::Token;
        answer.token = tokenFromJson(object);
    } else if (type == ErrorAnswer) {
        answer.type = Answer::Type::Error;
        answer.error = errorFromJson(object.value(field::Error).toObject());
    } else if (type == WaitingAnswer) {
        answer.type = Answer::Type::Waiting;
        answer.waitSeconds = object.value(field::WaitSeconds).toInt();
    } else if (type == EnvironmentAnswer) {
        answer.type = Answer::Type::Environment;
        answer.identityEndpoint = QUrl(object.value(field::IdentityEndpoint).toString());
        answer.identityHeader = Secret::fromString(object.value(field::IdentityHeader).toString());
    } else if (type == UnavailableAnswer) {
        answer.type = Answer::Type::Unavailable;
    } else {
        return protocolError(QStringLiteral("no such answer"));
    }
    return answer;
}

} // namespace azid::model::agent
