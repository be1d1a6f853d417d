#pragma once

#include "azid/browseropener.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/interactivecredential.h"
#include "azid/keychain/accountstore.h"
#include "azid/model/signinoperation.h"
#include "azid/tokencache.h"

#include <QFuture>

#include <functional>
#include <memory>

// The one way every interface (the tray app, azid-cli) signs an account in: the credential for a
// method, what it asks for, and the account metadata stored afterwards.
namespace azid::model {

// Where a sign-in's tokens go and how it reaches the authority.
struct SignInContext
{
    HttpOptions http;
    std::shared_ptr<TokenCache> cache;
    std::shared_ptr<TokenCache> caeCache;
    const Clock *clock = nullptr; // default: the system clock
};

// What the interface shows while the sign-in runs.
struct SignInPrompts
{
    // Both browser methods: opens the sign-in page (the system browser, or Azid's own window). Returns
    // false to stop the sign-in; the listener waits otherwise, also when no browser opened.
    BrowserOpener openBrowser;
    // Device code: where to enter which code, and until when.
    std::function<void(const DeviceCodeInfo &code)> showDeviceCode;
};

// The credential of the request's method, configured from the request. A child of `parent`, if any.
std::unique_ptr<InteractiveCredential> createSignInCredential(const SignInRequest &request,
                                                              const SignInContext &context,
                                                              const SignInPrompts &prompts,
                                                              QObject *parent = nullptr);

// Runs the interactive flow for the request's scopes (or its default, see SignInRequest::scopes).
QFuture<Result<AuthenticationRecord>> authenticateSignIn(InteractiveCredential &credential,
                                                         const SignInRequest &request);

// What is stored with an account that just signed in, given the accounts already stored: it becomes
// the default when asked, when it was, or when no other account is.
AccountMetadata metadataAfterSignIn(const SignInRequest &request, const QString &homeAccountId,
                                    const QList<StoredAccount> &existing, qint64 now,
                                    const QString &caBundle);

// The credential that gets a signed-in account's tokens: from its cache or a refresh, never a browser
// window by itself (an AuthenticationRequired error says a sign-in is needed), in any tenant a request
// names. The account's CA bundle applies unless the context names one.
InteractiveBrowserCredentialOptions accountCredentialOptions(const StoredAccount &account,
                                                             const SignInContext &context);

// A claims challenge as given: the JSON itself, or base64 of it as WWW-Authenticate carries it.
QString claimsFromChallenge(const QString &challenge);

} // namespace azid::model
