#pragma once

#include "azid/accesstoken.h"
#include "azid/confidentialclientoptions.h"
#include "azid/keychain/secretstore.h"
#include "azid/result.h"
#include "azid/secret.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <memory>

namespace azid::model {

// An app identity (a service principal) that the person added to the tray app: what may be shown.
// Its secret or certificate is never part of it; ServicePrincipals keeps that in the keychain.
struct ServicePrincipal
{
    enum class Kind { Secret, Certificate };

    QString id; // made when it is added; the keychain items are named after it
    QString displayName;
    QString authority; // host or https URL; empty: the public cloud
    QString tenantId;
    QString clientId;
    Kind kind = Kind::Secret;

    friend bool operator==(const ServicePrincipal &, const ServicePrincipal &) = default;
};

// How the app proves who it is: a client secret, or a certificate (PEM with its private key, or
// PKCS#12) with the key's password, if any. Exactly one of secret and certificate.
struct ServicePrincipalSecret
{
    Secret clientSecret;
    Secret certificate;
    Secret certificatePassword;
};

// The service principals of a profile, in its keychain (SecretStore), like the accounts: an index
// item "service-principal-index" (their ids, in the order they were added), one item per service
// principal "service-principal:<id>" (what ServicePrincipal holds, no secret), and the secret or
// certificate in items "service-principal-secret:<id>:<n>" (split into pieces a keychain item can
// hold), the certificate's password in "service-principal-password:<id>". Nothing goes to a file.
//
// A keychain that is locked or absent is an error of every operation, never an empty list.
// Changes of the list (add, remove) run one after another in call order, so that two adds at once
// both stay listed; the tray app is the only program that changes it. Use it from the thread that
// owns the store.
class ServicePrincipals
{
public:
    // `defaults`: the options every token request starts from (CA bundle, proxy, instance discovery);
    // the service principal's authority replaces theirs when it has one.
    explicit ServicePrincipals(std::shared_ptr<SecretStore> store, ConfidentialClientOptions defaults = {});
    ~ServicePrincipals();
    ServicePrincipals(const ServicePrincipals &) = delete;
    ServicePrincipals &operator=(const ServicePrincipals &) = delete;

    QFuture<Result<QList<ServicePrincipal>>> list();
    // Checks the configuration at once (an empty secret, an http authority, an invalid tenant or a
    // certificate without a usable key are errors and nothing is stored), then stores it. The
    // answer is the service principal with its new id.
    QFuture<Result<ServicePrincipal>> add(ServicePrincipal principal, const ServicePrincipalSecret &secret);
    // Removes its items and its index entry; an unknown id succeeds.
    QFuture<VoidResult> remove(const QString &id);
    // A token for `scope` (e.g. "https://management.azure.com/.default") through the library's
    // ClientSecretCredential or CertificateCredential, with the secret read from the keychain.
    QFuture<Result<AccessToken>> token(const ServicePrincipal &principal, const QString &scope);

    static QString indexKey();
    static QString principalKey(const QString &id);
    static QString secretKey(const QString &id, int piece);
    static QString passwordKey(const QString &id);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid::model
