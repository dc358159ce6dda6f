//! Words: the names, texts and codes the rows are made of (non-ASCII, quotes and newlines on purpose).

pub(super) const TENANT_NAMES: &[(&str, &str)] = &[
    ("Acme Outfitters", "acme-outfitters"),
    ("Café Lumière", "cafe-lumiere"),
    ("東京 Trading Co.", "tokyo-trading"),
    ("O'Reilly & Sons", "oreilly-sons"),
    ("Nordic Ødegaard AS", "nordic-odegaard"),
    ("Blue Whale 🐋 Supply", "blue-whale-supply"),
    ("Müller Haushaltswaren GmbH", "mueller-haushalt"),
    ("The \"Good\" Grocer", "the-good-grocer"),
    ("Lagos Leather Ltd", "lagos-leather"),
    ("São Paulo Sabores", "sao-paulo-sabores"),
];

pub(super) const ADJECTIVES: &[&str] = &[
    "Classic", "Organic", "Vintage", "Handmade", "Deluxe", "Eco", "Artisan", "Crème", "Nordic",
    "Everyday", "Compact", "Premium",
];

pub(super) const NOUNS: &[&str] = &[
    "Mug",
    "Tote Bag",
    "Tea Sampler",
    "T-Shirt",
    "Notebook",
    "Candle",
    "Socks",
    "Headphones",
    "Backpack",
    "Espresso Beans",
    "Water Bottle",
    "Desk Lamp",
];

pub(super) const SPECIAL_PRODUCTS: &[&str] = &[
    "Café Crème Mug",
    "日本茶 Sencha Tin",
    "Emoji Socks 🧦",
    "Ølbryggeri Pint Glass",
    "The \"Best\" Mug",
    "Kid's Rain Boots",
    "Crêpe Pan — 28 cm",
    "抹茶 Matcha Whisk (茶筅)",
];

pub(super) const SKU_PREFIXES: &[&str] = &["MUG", "TEE", "TEA", "BAG", "NB", "CDL", "SCK", "AUD"];

pub(super) const DESCRIPTIONS: &[&str] = &[
    "Hand-made in Kyoto 京都.\nDishwasher safe.",
    "The \"classic\" fit, now in 3 colours.\r\nIt's back!",
    "Crème brûlée flavour; contains milk 🥛.",
    "Line one\nLine two\n\tIndented 'quoted' text",
    "50% cotton, 50% polyester; sizes S/M/L/XL.",
    "A backslash \\ and a semicolon; nothing to escape here.",
    "",
    "Ships in 2–3 days. Größe: 42. ¡Oferta!",
    "Emoji test: 🚀✨🎉 and a zero-width joiner 👩‍💻.",
    "Plain description.",
];

pub(super) const FIRST_NAMES: &[(&str, &str)] = &[
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Björn", "bjorn"),
    ("François", "francois"),
    ("Aiko", "aiko"),
    ("Seán", "sean"),
    ("Mary-Jane", "maryjane"),
    ("Émilie", "emilie"),
    ("Liam", "liam"),
    ("Priya", "priya"),
    ("Ngozi", "ngozi"),
    ("Chen", "chen"),
];

pub(super) const LAST_NAMES: &[(&str, &str)] = &[
    ("Álvarez", "alvarez"),
    ("O'Brien", "obrien"),
    ("Müller", "muller"),
    ("Ødegård", "odegard"),
    ("Smith", "smith"),
    ("Nakamura", "nakamura"),
    ("D'Angelo", "dangelo"),
    ("Kowalski", "kowalski"),
    ("Nguyễn", "nguyen"),
    ("Okafor", "okafor"),
];

pub(super) const CJK_NAMES: &[&str] = &["山田 太郎", "佐藤 花子", "김 민준", "王 伟"];

pub(super) const DOMAINS: &[&str] = &[
    "example.com",
    "Example.org",
    "mail.example.net",
    "EXAMPLE.co.uk",
    "beispiel.de",
];

pub(super) const COUNTRIES: &[&str] = &["US", "FR", "DE", "GB", "JP", "NG", "IN", "BR", "NO", "CA"];

pub(super) const NOTES: &[&str] = &[
    "Prefers delivery after 6pm.\nRing twice.",
    "Said: \"don't leave it at the door\"",
    "VIP — très important 🌟",
    "日本語のメモ: 配達は午前中",
    "Line 1\r\nLine 2\r\nLine 3",
    "It's a gift; hide the price tag",
    "Tab\tseparated\tnote, with, commas",
    "",
];

pub(super) const CHANNELS: &[&str] = &["web", "ios", "android", "pos", "api"];

pub(super) const UPLOAD_NAMES: &[&str] = &[
    "orders-export.csv",
    "commandes_été.csv",
    "注文データ.csv",
    "bulk \"final\" v2.csv",
    "orders.jsonl",
];
