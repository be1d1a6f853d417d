#include "azid/model/signinoperation.h"

namespace azid::model {

QString signInMethodKey(SignInMethod method)
{
    switch (method) {
    case SignInMethod::SystemBrowser:
        return QStringLiteral("browser");
    case SignInMethod::EmbeddedBrowser:
        return QStringLiteral("webengine");
    case SignInMethod::DeviceCode:
        return QStringLiteral("device-code");
    case SignInMethod::UsernamePassword:
        break;
    }
    return QStringLiteral("password");
}

std::optional<SignInMethod> signInMethodFromKey(const QString &key)
{
    for (SignInMethod method : {SignInMethod::SystemBrowser, SignInMethod::EmbeddedBrowser,
                                SignInMethod::DeviceCode, SignInMethod::UsernamePassword}) {
        if (signInMethodKey(method) == key)
            return method;
    }
    return std::nullopt;
}

QString signInMethodName(const QString &key)
{
    if (key == QStringLiteral("browser"))
        return SignInOperation::tr("System browser");
    if (key == QStringLiteral("webengine"))
        return SignInOperation::tr("Embedded browser");
    if (key == QStringLiteral("device-code"))
        return SignInOperation::tr("Device code");
    if (key == QStringLiteral("password"))
        return SignInOperation::tr("User name and password");
    if (key == QStringLiteral("imported"))
        return SignInOperation::tr("Imported record");
    return key.isEmpty() ? SignInOperation::tr("Unknown") : key;
}

SignInOperation::SignInOperation(const SignInRequest &request, QObject *parent)
    : QObject(parent), m_request(request)
{
    m_request.password.clear();
}

void SignInOperation::reportBrowserUrl(const QUrl &url, bool opened)
{
    if (!isRunning())
        return;
    m_browserUrl = url;
    m_browserOpened = opened;
    emit browserUrlReported();
}

void SignInOperation::reportDeviceCode(const DeviceCodeInfo &code)
{
    if (!isRunning())
        return;
    m_deviceCode = code;
    emit deviceCodeReported();
}

void SignInOperation::reportStatus(const QString &status)
{
    if (!isRunning() || status == m_status)
        return;
    m_status = status;
    emit statusChanged(status);
}

void SignInOperation::succeed(const StoredAccount &account)
{
    if (!isRunning())
        return;
    m_account = account;
    finish(State::Succeeded);
}

void SignInOperation::fail(const AuthError &error)
{
    if (!isRunning())
        return;
    m_error = error;
    finish(State::Failed);
}

void SignInOperation::cancel()
{
    if (!isRunning())
        return;
    finish(State::Cancelled);
}

void SignInOperation::finish(State state)
{
    m_state = state;
    switch (state) {
    case State::Succeeded:
        emit succeeded();
        break;
    case State::Failed:
        emit failed();
        break;
    case State::Cancelled:
        emit cancelled();
        break;
    case State::Running:
        return;
    }
    emit finished();
}

} // namespace azid::model
