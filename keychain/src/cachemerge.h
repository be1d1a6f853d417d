#pragma once

#include <QJsonObject>

namespace azid::detail {

// Three-way merge of two MSAL caches that both started from `base`, entry by entry within each
// section ("AccessToken", "RefreshToken", ...): an entry this side changed, added or removed since
// `base` keeps this side's version ("ours" wins a conflict); every other entry takes "theirs".
// Top-level members that are not sections are merged the same way, as single values.
QJsonObject mergeCaches(const QJsonObject &base, const QJsonObject &ours, const QJsonObject &theirs);

} // namespace azid::detail
