#include "azid/model/serviceprincipals.h"

#include "azid/certificatecredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/readyfuture.h"
#include "azid/tokencredential.h"
#include "modellogging.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <type_traits>
#include <utility>

namespace azid::model {

namespace {

constexpr int FormatVersion = 1;
// Base64 characters per keychain item: well under SecretStore::MaxItemSize.
constexpr qsizetype PieceSize = 1800;

// Continues `future` with `next(value)` when it succeeded; its error goes on unchanged otherwise.
template <typename T, typename F> auto onSuccess(const QFuture<Result<T>> &future, F next)
{
    using Next = std::invoke_result_t<F, const T &>;
    using NextResult = std::decay_t<decltype(std::declval<Next>().result())>;
    return QFuture<Result<T>>(future)
        .then(QtFuture::Launch::Sync,
              [next = std::move(next)](const Result<T> &result) -> Next {
                  if (!result)
                      return ready(NextResult(result.error()));
                  return next(result.value());
              })
        .unwrap();
}

QString kindName(ServicePrincipal::Kind kind)
{
    return kind == ServicePrincipal::Kind::Certificate ? QStringLiteral("certificate")
                                                       : QStringLiteral("secret");
}

// The non-secret part, and how many pieces the secret was split into.
struct StoredPrincipal
{
    ServicePrincipal principal;
    int pieces = 0;
    bool hasPassword = false;
};

Secret principalItem(const StoredPrincipal &stored)
{
    const ServicePrincipal &p = stored.principal;
    const QJsonObject object{
        {QStringLiteral("version"), FormatVersion},         {QStringLiteral("id"), p.id},
        {QStringLiteral("displayName"), p.displayName},     {QStringLiteral("authority"), p.authority},
        {QStringLiteral("tenantId"), p.tenantId},           {QStringLiteral("clientId"), p.clientId},
        {QStringLiteral("kind"), kindName(p.kind)},         {QStringLiteral("pieces"), stored.pieces},
        {QStringLiteral("hasPassword"), stored.hasPassword}};
    return Secret(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

std::optional<StoredPrincipal> parsePrincipalItem(const Secret &item)
{
    const QJsonObject object = QJsonDocument::fromJson(item.reveal()).object();
    StoredPrincipal stored;
    ServicePrincipal &p = stored.principal;
    p.id = object.value(QStringLiteral("id")).toString();
    p.displayName = object.value(QStringLiteral("displayName")).toString();
    p.authority = object.value(QStringLiteral("authority")).toString();
    p.tenantId = object.value(QStringLiteral("tenantId")).toString();
    p.clientId = object.value(QStringLiteral("clientId")).toString();
    p.kind = object.value(QStringLiteral("kind")).toString() == QLatin1String("certificate")
                 ? ServicePrincipal::Kind::Certificate
                 : ServicePrincipal::Kind::Secret;
    stored.pieces = object.value(QStringLiteral("pieces")).toInt();
    stored.hasPassword = object.value(QStringLiteral("hasPassword")).toBool();
    if (p.id.isEmpty() || p.clientId.isEmpty() || stored.pieces <= 0)
        return std::nullopt;
    return stored;
}

Secret indexItem(const QStringList &ids)
{
    const QJsonObject object{{QStringLiteral("version"), FormatVersion},
                             {QStringLiteral("ids"), QJsonArray::fromStringList(ids)}};
    return Secret(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QStringList parseIndex(const std::optional<Secret> &item)
{
    QStringList ids;
    if (!item)
        return ids;
    const QJsonObject object = QJsonDocument::fromJson(item->reveal()).object();
    for (const QJsonValue &value : object.value(QStringLiteral("ids")).toArray()) {
        if (!value.toString().isEmpty())
            ids << value.toString();
    }
    return ids;
}

QList<Secret> splitIntoPieces(const Secret &secret)
{
    const QByteArray encoded = secret.reveal().toBase64();
    QList<Secret> pieces;
    for (qsizetype at = 0; at < encoded.size(); at += PieceSize)
        pieces << Secret(encoded.mid(at, PieceSize));
    return pieces;
}

// Writes `items` (key, value) one after another: a keychain answers one request at a time.
QFuture<VoidResult> writeEach(std::shared_ptr<SecretStore> store, QList<std::pair<QString, Secret>> items)
{
    if (items.isEmpty())
        return ready(VoidResult(Done{}));
    const auto first = items.takeFirst();
    return onSuccess(store->write(first.first, first.second),
                     [store, rest = std::move(items)](const Done &) { return writeEach(store, rest); });
}

QFuture<VoidResult> removeEach(std::shared_ptr<SecretStore> store, QStringList keys)
{
    if (keys.isEmpty())
        return ready(VoidResult(Done{}));
    const QString first = keys.takeFirst();
    return onSuccess(store->remove(first),
                     [store, rest = std::move(keys)](const Done &) { return removeEach(store, rest); });
}

// Reads the pieces [next, count) after `read`, joined.
QFuture<Result<Secret>> readPieces(std::shared_ptr<SecretStore> store, QString id, int next, int count,
                                   QByteArray read)
{
    if (next == count)
        return ready(Result<Secret>(Secret(QByteArray::fromBase64(read))));
    return onSuccess(store->read(ServicePrincipals::secretKey(id, next)),
                     [=](const std::optional<Secret> &piece) -> QFuture<Result<Secret>> {
                         if (!piece) {
                             return ready(Result<Secret>(AuthError::unavailable(
                                 QStringLiteral("The keychain holds only part of the service principal's "
                                                "secret. Remove it and add it again."))));
                         }
                         return readPieces(store, id, next + 1, count, read + piece->reveal());
                     });
}

} // namespace

struct ServicePrincipals::State
{
    std::shared_ptr<SecretStore> store;
    ConfidentialClientOptions defaults;
    // One credential per service principal, so that its tokens are cached between requests.
    QHash<QString, std::shared_ptr<TokenCredential>> credentials;
    // The last change of the list: changes (read, change and write the index) run one after another.
    QFuture<void> lastChange = QtFuture::makeReadyFuture();

    template <typename Change> auto afterLastChange(Change change)
    {
        auto next = lastChange.then(QtFuture::Launch::Sync, std::move(change)).unwrap();
        lastChange = QFuture<void>(next);
        return next;
    }

    Result<std::shared_ptr<TokenCredential>> credential(const ServicePrincipal &principal,
                                                        const ServicePrincipalSecret &secret) const;
    template <typename Options> Options optionsFor(const ServicePrincipal &principal) const
    {
        Options options;
        static_cast<ConfidentialClientOptions &>(options) = defaults;
        if (!principal.authority.isEmpty())
            options.authority = principal.authority;
        return options;
    }
    QFuture<Result<QStringList>> readIndex() const;
    QFuture<Result<std::optional<StoredPrincipal>>> readPrincipal(const QString &id) const;
    QFuture<Result<ServicePrincipalSecret>> readSecret(const StoredPrincipal &stored) const;
};

Result<std::shared_ptr<TokenCredential>>
ServicePrincipals::State::credential(const ServicePrincipal &principal,
                                     const ServicePrincipalSecret &secret) const
{
    Result<std::shared_ptr<TokenCredential>> made;
    if (principal.kind == ServicePrincipal::Kind::Certificate) {
        auto options = optionsFor<CertificateCredentialOptions>(principal);
        options.certificateData = secret.certificate;
        options.password = secret.certificatePassword;
        auto certificate = createCredential<CertificateCredential>(principal.tenantId, principal.clientId,
                                                                   QString(), options);
        if (!certificate)
            return certificate.error();
        return std::shared_ptr<TokenCredential>(certificate.value());
    }
    auto client =
        createCredential<ClientSecretCredential>(principal.tenantId, principal.clientId, secret.clientSecret,
                                                 optionsFor<ClientSecretCredentialOptions>(principal));
    if (!client)
        return client.error();
    return std::shared_ptr<TokenCredential>(client.value());
}

QFuture<Result<QStringList>> ServicePrincipals::State::readIndex() const
{
    return onSuccess(store->read(indexKey()), [](const std::optional<Secret> &item) {
        return ready(Result<QStringList>(parseIndex(item)));
    });
}

QFuture<Result<std::optional<StoredPrincipal>>>
ServicePrincipals::State::readPrincipal(const QString &id) const
{
    using Answer = Result<std::optional<StoredPrincipal>>;
    return onSuccess(store->read(principalKey(id)), [id](const std::optional<Secret> &item) {
        if (!item)
            return ready(Answer(std::optional<StoredPrincipal>()));
        auto parsed = parsePrincipalItem(*item);
        if (!parsed)
            qCWarning(lcModel) << "A service principal's keychain item is damaged; it is left out.";
        return ready(Answer(std::move(parsed)));
    });
}

QFuture<Result<ServicePrincipalSecret>>
ServicePrincipals::State::readSecret(const StoredPrincipal &stored) const
{
    const QString id = stored.principal.id;
    const bool isCertificate = stored.principal.kind == ServicePrincipal::Kind::Certificate;
    auto key = readPieces(store, id, 0, stored.pieces, {});
    return onSuccess(
        key, [store = store, id, isCertificate, hasPassword = stored.hasPassword](const Secret &bytes) {
            ServicePrincipalSecret secret;
            (isCertificate ? secret.certificate : secret.clientSecret) = bytes;
            if (!hasPassword)
                return ready(Result<ServicePrincipalSecret>(secret));
            return onSuccess(store->read(passwordKey(id)), [secret](const std::optional<Secret> &password) {
                ServicePrincipalSecret withPassword = secret;
                withPassword.certificatePassword = password.value_or(Secret());
                return ready(Result<ServicePrincipalSecret>(withPassword));
            });
        });
}

ServicePrincipals::ServicePrincipals(std::shared_ptr<SecretStore> store, ConfidentialClientOptions defaults)
    : m_state(std::make_shared<State>())
{
    m_state->store = std::move(store);
    m_state->defaults = std::move(defaults);
}

ServicePrincipals::~ServicePrincipals() = default;

QString ServicePrincipals::indexKey()
{
    return QStringLiteral("service-principal-index");
}

QString ServicePrincipals::principalKey(const QString &id)
{
    return QStringLiteral("service-principal:") + id;
}

QString ServicePrincipals::secretKey(const QString &id, int piece)
{
    return QStringLiteral("service-principal-secret:%1:%2").arg(id).arg(piece);
}

QString ServicePrincipals::passwordKey(const QString &id)
{
    return QStringLiteral("service-principal-password:") + id;
}

namespace {
// Reads the principals of `ids[next...]` one after another, skipping missing or damaged items.
template <typename Read>
QFuture<Result<QList<ServicePrincipal>>> collect(Read read, QStringList ids, QList<ServicePrincipal> found)
{
    if (ids.isEmpty())
        return ready(Result<QList<ServicePrincipal>>(found));
    const QString id = ids.takeFirst();
    return onSuccess(read(id), [=](const std::optional<StoredPrincipal> &stored) {
        QList<ServicePrincipal> more = found;
        if (stored)
            more << stored->principal;
        return collect(read, ids, more);
    });
}
} // namespace

QFuture<Result<QList<ServicePrincipal>>> ServicePrincipals::list()
{
    auto state = m_state;
    return onSuccess(state->readIndex(), [state](const QStringList &ids) {
        return collect([state](const QString &id) { return state->readPrincipal(id); }, ids, {});
    });
}

QFuture<Result<ServicePrincipal>> ServicePrincipals::add(ServicePrincipal principal,
                                                         const ServicePrincipalSecret &secret)
{
    const bool isCertificate = principal.kind == ServicePrincipal::Kind::Certificate;
    if (principal.displayName.trimmed().isEmpty())
        principal.displayName = principal.clientId;
    auto credential = m_state->credential(principal, secret);
    if (!credential)
        return ready(Result<ServicePrincipal>(credential.error()));
    principal.id = QUuid::createUuid().toString(QUuid::WithoutBraces);

    StoredPrincipal stored{principal, 0, isCertificate && !secret.certificatePassword.reveal().isEmpty()};
    QList<std::pair<QString, Secret>> items;
    for (const Secret &piece : splitIntoPieces(isCertificate ? secret.certificate : secret.clientSecret))
        items.append({secretKey(principal.id, stored.pieces++), piece});
    if (stored.hasPassword)
        items.append({passwordKey(principal.id), secret.certificatePassword});
    // The secret first: an index entry never names a service principal without one.
    items.append({principalKey(principal.id), principalItem(stored)});

    auto state = m_state;
    return state->afterLastChange([state, items, principal, made = credential.value()]() {
        auto written =
            onSuccess(writeEach(state->store, items), [state](const Done &) { return state->readIndex(); });
        return onSuccess(written, [state, principal, made](const QStringList &ids) {
            return onSuccess(state->store->write(indexKey(), indexItem(ids + QStringList{principal.id})),
                             [state, principal, made](const Done &) {
                                 state->credentials.insert(principal.id, made);
                                 return ready(Result<ServicePrincipal>(principal));
                             });
        });
    });
}

QFuture<VoidResult> ServicePrincipals::remove(const QString &id)
{
    auto state = m_state;
    state->credentials.remove(id);
    return state->afterLastChange([state, id]() {
        auto unlisted = onSuccess(state->readIndex(), [state, id](const QStringList &ids) {
            QStringList rest = ids;
            rest.removeAll(id);
            return state->store->write(indexKey(), indexItem(rest));
        });
        auto stored = onSuccess(unlisted, [state, id](const Done &) { return state->readPrincipal(id); });
        return onSuccess(stored, [state, id](const std::optional<StoredPrincipal> &principal) {
            QStringList keys;
            for (int piece = 0; principal && piece < principal->pieces; ++piece)
                keys << secretKey(id, piece);
            keys << passwordKey(id) << principalKey(id);
            return removeEach(state->store, keys);
        });
    });
}

QFuture<Result<AccessToken>> ServicePrincipals::token(const ServicePrincipal &principal, const QString &scope)
{
    auto state = m_state;
    if (const auto known = state->credentials.value(principal.id)) {
        // Kept until its answer comes, even if the service principal is removed meanwhile.
        return known->getToken({scope}).then(QtFuture::Launch::Sync,
                                             [known](const Result<AccessToken> &token) { return token; });
    }
    auto stored =
        onSuccess(state->readPrincipal(principal.id), [](const std::optional<StoredPrincipal> &found) {
            if (!found) {
                return ready(Result<StoredPrincipal>(AuthError::unavailable(
                    QStringLiteral("This service principal is no longer in the keychain."))));
            }
            return ready(Result<StoredPrincipal>(*found));
        });
    return onSuccess(stored, [state, scope](const StoredPrincipal &found) {
        return onSuccess(state->readSecret(found), [state, scope,
                                                    found](const ServicePrincipalSecret &secret) {
            auto credential = state->credential(found.principal, secret);
            if (!credential)
                return ready(Result<AccessToken>(credential.error()));
            state->credentials.insert(found.principal.id, credential.value());
            auto keep = credential.value();
            return keep->getToken({scope}).then(QtFuture::Launch::Sync,
                                                [keep](const Result<AccessToken> &token) { return token; });
        });
    });
}

} // namespace azid::model
