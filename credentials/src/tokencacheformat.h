#pragma once

// The names of MSAL's unified token cache schema: its sections, the fields of its entries and the
// parts of its keys. The token cache's own sources are the only code that spells them.

#include <QString>

namespace azid::detail::cacheformat {

// Sections of the top-level object.
inline const QString AccessTokenSection = QStringLiteral("AccessToken");
inline const QString RefreshTokenSection = QStringLiteral("RefreshToken");
inline const QString IdTokenSection = QStringLiteral("IdToken");
inline const QString AccountSection = QStringLiteral("Account");
inline const QString AppMetadataSection = QStringLiteral("AppMetadata");

// Fields of the entries.
inline const QString CredentialType = QStringLiteral("credential_type");
inline const QString SecretField = QStringLiteral("secret");
inline const QString HomeAccountId = QStringLiteral("home_account_id");
inline const QString Environment = QStringLiteral("environment");
inline const QString ClientId = QStringLiteral("client_id");
inline const QString Realm = QStringLiteral("realm");
inline const QString Target = QStringLiteral("target");
inline const QString TokenType = QStringLiteral("token_type");
inline const QString CachedAt = QStringLiteral("cached_at");
inline const QString ExpiresOn = QStringLiteral("expires_on");
inline const QString ExtendedExpiresOn = QStringLiteral("extended_expires_on");
inline const QString RefreshOn = QStringLiteral("refresh_on");
inline const QString FamilyId = QStringLiteral("family_id");
inline const QString LastModificationTime = QStringLiteral("last_modification_time");
inline const QString LocalAccountId = QStringLiteral("local_account_id");
inline const QString Username = QStringLiteral("username");
inline const QString AuthorityType = QStringLiteral("authority_type");
inline const QString AccountSource = QStringLiteral("account_source");

// The credential type's part of an entry key, and the prefix of an app metadata key.
inline const QString AccessTokenKeyPart = QStringLiteral("accesstoken");
inline const QString RefreshTokenKeyPart = QStringLiteral("refreshtoken");
inline const QString IdTokenKeyPart = QStringLiteral("idtoken");
inline const QString AppMetadataKeyPrefix = QStringLiteral("appmetadata");

// The family_id of the family of Microsoft's first-party clients (FOCI).
inline const QString FociFamilyId = QStringLiteral("1");

// The ID token claim with the account's display name (OpenID Connect Core 1.0, section 5.1).
inline const QString NameClaim = QStringLiteral("name");

} // namespace azid::detail::cacheformat
