//! Country codes: ISO 3166-1 alpha-3 as the canonical form (what agencies and
//! MRZs use), with the alpha-2 mapping that FollowTheMoney needs, plus the
//! ICAO 9303 codes that are not ISO countries (stateless persons, refugees,
//! UN documents, the "Utopia" specimen state).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidValue;

/// An ISO 3166-1 alpha-3 (or ICAO 9303 special) country code, upper case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    /// Parses an alpha-3 code (any case) or an alpha-2 code (FtM style).
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let upper = text.trim().to_ascii_uppercase();
        let found = match upper.len() {
            3 => COUNTRIES.iter().find(|c| c.0 == upper).map(|c| c.0),
            2 => COUNTRIES.iter().find(|c| c.1 == upper).map(|c| c.0),
            // ICAO writes Germany as "D" padded with fillers.
            1 if upper == "D" => Some("DEU"),
            _ => None,
        };
        match found {
            Some(code) => {
                let b = code.as_bytes();
                Ok(CountryCode([b[0], b[1], b[2]]))
            }
            None => Err(InvalidValue::new(format!(
                "'{}' is not an ISO 3166 country code",
                text.chars().take(20).collect::<String>()
            ))),
        }
    }

    /// Reads a state or nationality code as an MRZ writes it, fillers
    /// stripped: three letters, or `D` for Germany. Unlike [`Self::parse`]
    /// it takes no alpha-2 codes: in a zone `US` is no country.
    pub fn from_mrz(code: &str) -> Option<Self> {
        match code.len() {
            1 if code == "D" => Self::parse(code).ok(),
            3 => COUNTRIES
                .iter()
                .find(|c| c.0 == code)
                .and_then(|c| Self::parse(c.0).ok()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from the ASCII table below.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Lower-case alpha-2 code as FollowTheMoney writes it, if one exists.
    pub fn alpha2_lower(&self) -> Option<String> {
        COUNTRIES
            .iter()
            .find(|c| c.0 == self.as_str())
            .filter(|c| !c.1.is_empty())
            .map(|c| c.1.to_ascii_lowercase())
    }

    pub fn name(&self) -> &'static str {
        COUNTRIES
            .iter()
            .find(|c| c.0 == self.as_str())
            .map(|c| c.2)
            .unwrap_or("")
    }

    /// Finds a country by its English name: the ISO 3166 name ("Syrian
    /// Arab Republic"), its part before the comma where that names one
    /// country ("Iran" for "Iran, Islamic Republic of", but not "Korea"),
    /// the comma form turned round ("Islamic Republic of Iran"), or a
    /// common name ISO does not use ("Syria", "Russia", "North Korea").
    /// Case, accents and punctuation do not matter.
    pub fn from_name(name: &str) -> Option<Self> {
        let wanted = fold_name(name);
        if wanted.is_empty() {
            return None;
        }
        let found = COUNTRIES
            .iter()
            .find(|c| fold_name(c.2) == wanted)
            .map(|c| c.0)
            .or_else(|| {
                let mut short = COUNTRIES.iter().filter(|c| {
                    c.2.split_once(", ").is_some_and(|(head, tail)| {
                        fold_name(head) == wanted || fold_name(&format!("{tail} {head}")) == wanted
                    })
                });
                match (short.next(), short.next()) {
                    (Some(only), None) => Some(only.0),
                    _ => None,
                }
            })
            .or_else(|| {
                COMMON_NAMES
                    .iter()
                    .find(|(common, _)| fold_name(common) == wanted)
                    .map(|(_, code)| *code)
            })?;
        Self::parse(found).ok()
    }
}

/// A country name reduced to lower-case ASCII letters and single spaces:
/// "Côte d'Ivoire" and "COTE D IVOIRE" fold alike ("cote d ivoire").
fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Names in common use that are neither an ISO 3166 name nor its short form.
const COMMON_NAMES: &[(&str, &str)] = &[
    ("Syria", "SYR"),
    ("Russia", "RUS"),
    ("North Korea", "PRK"),
    ("DPRK", "PRK"),
    ("South Korea", "KOR"),
    ("Laos", "LAO"),
    ("Vietnam", "VNM"),
    ("Czech Republic", "CZE"),
    ("Great Britain", "GBR"),
    ("Britain", "GBR"),
    (
        "United Kingdom of Great Britain and Northern Ireland",
        "GBR",
    ),
    ("United States of America", "USA"),
    ("USA", "USA"),
    ("Turkey", "TUR"),
    ("Ivory Coast", "CIV"),
    ("Cape Verde", "CPV"),
    ("Burma", "MMR"),
    ("Swaziland", "SWZ"),
    ("East Timor", "TLS"),
    ("Macedonia", "MKD"),
    ("Vatican", "VAT"),
    ("Vatican City", "VAT"),
    ("Holy See", "VAT"),
    ("Brunei", "BRN"),
    ("Democratic Republic of the Congo", "COD"),
    ("DR Congo", "COD"),
    ("Republic of the Congo", "COG"),
    ("Micronesia", "FSM"),
    ("Palestinian Territories", "PSE"),
    ("Kosovo", "XKX"),
];

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// (alpha-3, alpha-2, English name). Alpha-2 is empty for ICAO-only codes.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("ABW", "AW", "Aruba"),
    ("AFG", "AF", "Afghanistan"),
    ("AGO", "AO", "Angola"),
    ("AIA", "AI", "Anguilla"),
    ("ALA", "AX", "Åland Islands"),
    ("ALB", "AL", "Albania"),
    ("AND", "AD", "Andorra"),
    ("ARE", "AE", "United Arab Emirates"),
    ("ARG", "AR", "Argentina"),
    ("ARM", "AM", "Armenia"),
    ("ASM", "AS", "American Samoa"),
    ("ATA", "AQ", "Antarctica"),
    ("ATF", "TF", "French Southern Territories"),
    ("ATG", "AG", "Antigua and Barbuda"),
    ("AUS", "AU", "Australia"),
    ("AUT", "AT", "Austria"),
    ("AZE", "AZ", "Azerbaijan"),
    ("BDI", "BI", "Burundi"),
    ("BEL", "BE", "Belgium"),
    ("BEN", "BJ", "Benin"),
    ("BES", "BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BFA", "BF", "Burkina Faso"),
    ("BGD", "BD", "Bangladesh"),
    ("BGR", "BG", "Bulgaria"),
    ("BHR", "BH", "Bahrain"),
    ("BHS", "BS", "Bahamas"),
    ("BIH", "BA", "Bosnia and Herzegovina"),
    ("BLM", "BL", "Saint Barthélemy"),
    ("BLR", "BY", "Belarus"),
    ("BLZ", "BZ", "Belize"),
    ("BMU", "BM", "Bermuda"),
    ("BOL", "BO", "Bolivia, Plurinational State of"),
    ("BRA", "BR", "Brazil"),
    ("BRB", "BB", "Barbados"),
    ("BRN", "BN", "Brunei Darussalam"),
    ("BTN", "BT", "Bhutan"),
    ("BVT", "BV", "Bouvet Island"),
    ("BWA", "BW", "Botswana"),
    ("CAF", "CF", "Central African Republic"),
    ("CAN", "CA", "Canada"),
    ("CCK", "CC", "Cocos (Keeling) Islands"),
    ("CHE", "CH", "Switzerland"),
    ("CHL", "CL", "Chile"),
    ("CHN", "CN", "China"),
    ("CIV", "CI", "Côte d'Ivoire"),
    ("CMR", "CM", "Cameroon"),
    ("COD", "CD", "Congo, The Democratic Republic of the"),
    ("COG", "CG", "Congo"),
    ("COK", "CK", "Cook Islands"),
    ("COL", "CO", "Colombia"),
    ("COM", "KM", "Comoros"),
    ("CPV", "CV", "Cabo Verde"),
    ("CRI", "CR", "Costa Rica"),
    ("CUB", "CU", "Cuba"),
    ("CUW", "CW", "Curaçao"),
    ("CXR", "CX", "Christmas Island"),
    ("CYM", "KY", "Cayman Islands"),
    ("CYP", "CY", "Cyprus"),
    ("CZE", "CZ", "Czechia"),
    ("DEU", "DE", "Germany"),
    ("DJI", "DJ", "Djibouti"),
    ("DMA", "DM", "Dominica"),
    ("DNK", "DK", "Denmark"),
    ("DOM", "DO", "Dominican Republic"),
    ("DZA", "DZ", "Algeria"),
    ("ECU", "EC", "Ecuador"),
    ("EGY", "EG", "Egypt"),
    ("ERI", "ER", "Eritrea"),
    ("ESH", "EH", "Western Sahara"),
    ("ESP", "ES", "Spain"),
    ("EST", "EE", "Estonia"),
    ("ETH", "ET", "Ethiopia"),
    ("FIN", "FI", "Finland"),
    ("FJI", "FJ", "Fiji"),
    ("FLK", "FK", "Falkland Islands (Malvinas)"),
    ("FRA", "FR", "France"),
    ("FRO", "FO", "Faroe Islands"),
    ("FSM", "FM", "Micronesia, Federated States of"),
    ("GAB", "GA", "Gabon"),
    ("GBR", "GB", "United Kingdom"),
    ("GEO", "GE", "Georgia"),
    ("GGY", "GG", "Guernsey"),
    ("GHA", "GH", "Ghana"),
    ("GIB", "GI", "Gibraltar"),
    ("GIN", "GN", "Guinea"),
    ("GLP", "GP", "Guadeloupe"),
    ("GMB", "GM", "Gambia"),
    ("GNB", "GW", "Guinea-Bissau"),
    ("GNQ", "GQ", "Equatorial Guinea"),
    ("GRC", "GR", "Greece"),
    ("GRD", "GD", "Grenada"),
    ("GRL", "GL", "Greenland"),
    ("GTM", "GT", "Guatemala"),
    ("GUF", "GF", "French Guiana"),
    ("GUM", "GU", "Guam"),
    ("GUY", "GY", "Guyana"),
    ("HKG", "HK", "Hong Kong"),
    ("HMD", "HM", "Heard Island and McDonald Islands"),
    ("HND", "HN", "Honduras"),
    ("HRV", "HR", "Croatia"),
    ("HTI", "HT", "Haiti"),
    ("HUN", "HU", "Hungary"),
    ("IDN", "ID", "Indonesia"),
    ("IMN", "IM", "Isle of Man"),
    ("IND", "IN", "India"),
    ("IOT", "IO", "British Indian Ocean Territory"),
    ("IRL", "IE", "Ireland"),
    ("IRN", "IR", "Iran, Islamic Republic of"),
    ("IRQ", "IQ", "Iraq"),
    ("ISL", "IS", "Iceland"),
    ("ISR", "IL", "Israel"),
    ("ITA", "IT", "Italy"),
    ("JAM", "JM", "Jamaica"),
    ("JEY", "JE", "Jersey"),
    ("JOR", "JO", "Jordan"),
    ("JPN", "JP", "Japan"),
    ("KAZ", "KZ", "Kazakhstan"),
    ("KEN", "KE", "Kenya"),
    ("KGZ", "KG", "Kyrgyzstan"),
    ("KHM", "KH", "Cambodia"),
    ("KIR", "KI", "Kiribati"),
    ("KNA", "KN", "Saint Kitts and Nevis"),
    ("KOR", "KR", "Korea, Republic of"),
    ("KWT", "KW", "Kuwait"),
    ("LAO", "LA", "Lao People's Democratic Republic"),
    ("LBN", "LB", "Lebanon"),
    ("LBR", "LR", "Liberia"),
    ("LBY", "LY", "Libya"),
    ("LCA", "LC", "Saint Lucia"),
    ("LIE", "LI", "Liechtenstein"),
    ("LKA", "LK", "Sri Lanka"),
    ("LSO", "LS", "Lesotho"),
    ("LTU", "LT", "Lithuania"),
    ("LUX", "LU", "Luxembourg"),
    ("LVA", "LV", "Latvia"),
    ("MAC", "MO", "Macao"),
    ("MAF", "MF", "Saint Martin (French part)"),
    ("MAR", "MA", "Morocco"),
    ("MCO", "MC", "Monaco"),
    ("MDA", "MD", "Moldova, Republic of"),
    ("MDG", "MG", "Madagascar"),
    ("MDV", "MV", "Maldives"),
    ("MEX", "MX", "Mexico"),
    ("MHL", "MH", "Marshall Islands"),
    ("MKD", "MK", "North Macedonia"),
    ("MLI", "ML", "Mali"),
    ("MLT", "MT", "Malta"),
    ("MMR", "MM", "Myanmar"),
    ("MNE", "ME", "Montenegro"),
    ("MNG", "MN", "Mongolia"),
    ("MNP", "MP", "Northern Mariana Islands"),
    ("MOZ", "MZ", "Mozambique"),
    ("MRT", "MR", "Mauritania"),
    ("MSR", "MS", "Montserrat"),
    ("MTQ", "MQ", "Martinique"),
    ("MUS", "MU", "Mauritius"),
    ("MWI", "MW", "Malawi"),
    ("MYS", "MY", "Malaysia"),
    ("MYT", "YT", "Mayotte"),
    ("NAM", "NA", "Namibia"),
    ("NCL", "NC", "New Caledonia"),
    ("NER", "NE", "Niger"),
    ("NFK", "NF", "Norfolk Island"),
    ("NGA", "NG", "Nigeria"),
    ("NIC", "NI", "Nicaragua"),
    ("NIU", "NU", "Niue"),
    ("NLD", "NL", "Netherlands"),
    ("NOR", "NO", "Norway"),
    ("NPL", "NP", "Nepal"),
    ("NRU", "NR", "Nauru"),
    ("NZL", "NZ", "New Zealand"),
    ("OMN", "OM", "Oman"),
    ("PAK", "PK", "Pakistan"),
    ("PAN", "PA", "Panama"),
    ("PCN", "PN", "Pitcairn"),
    ("PER", "PE", "Peru"),
    ("PHL", "PH", "Philippines"),
    ("PLW", "PW", "Palau"),
    ("PNG", "PG", "Papua New Guinea"),
    ("POL", "PL", "Poland"),
    ("PRI", "PR", "Puerto Rico"),
    ("PRK", "KP", "Korea, Democratic People's Republic of"),
    ("PRT", "PT", "Portugal"),
    ("PRY", "PY", "Paraguay"),
    ("PSE", "PS", "Palestine, State of"),
    ("PYF", "PF", "French Polynesia"),
    ("QAT", "QA", "Qatar"),
    ("REU", "RE", "Réunion"),
    ("ROU", "RO", "Romania"),
    ("RUS", "RU", "Russian Federation"),
    ("RWA", "RW", "Rwanda"),
    ("SAU", "SA", "Saudi Arabia"),
    ("SDN", "SD", "Sudan"),
    ("SEN", "SN", "Senegal"),
    ("SGP", "SG", "Singapore"),
    ("SGS", "GS", "South Georgia and the South Sandwich Islands"),
    ("SHN", "SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SJM", "SJ", "Svalbard and Jan Mayen"),
    ("SLB", "SB", "Solomon Islands"),
    ("SLE", "SL", "Sierra Leone"),
    ("SLV", "SV", "El Salvador"),
    ("SMR", "SM", "San Marino"),
    ("SOM", "SO", "Somalia"),
    ("SPM", "PM", "Saint Pierre and Miquelon"),
    ("SRB", "RS", "Serbia"),
    ("SSD", "SS", "South Sudan"),
    ("STP", "ST", "Sao Tome and Principe"),
    ("SUR", "SR", "Suriname"),
    ("SVK", "SK", "Slovakia"),
    ("SVN", "SI", "Slovenia"),
    ("SWE", "SE", "Sweden"),
    ("SWZ", "SZ", "Eswatini"),
    ("SXM", "SX", "Sint Maarten (Dutch part)"),
    ("SYC", "SC", "Seychelles"),
    ("SYR", "SY", "Syrian Arab Republic"),
    ("TCA", "TC", "Turks and Caicos Islands"),
    ("TCD", "TD", "Chad"),
    ("TGO", "TG", "Togo"),
    ("THA", "TH", "Thailand"),
    ("TJK", "TJ", "Tajikistan"),
    ("TKL", "TK", "Tokelau"),
    ("TKM", "TM", "Turkmenistan"),
    ("TLS", "TL", "Timor-Leste"),
    ("TON", "TO", "Tonga"),
    ("TTO", "TT", "Trinidad and Tobago"),
    ("TUN", "TN", "Tunisia"),
    ("TUR", "TR", "Türkiye"),
    ("TUV", "TV", "Tuvalu"),
    ("TWN", "TW", "Taiwan, Province of China"),
    ("TZA", "TZ", "Tanzania, United Republic of"),
    ("UGA", "UG", "Uganda"),
    ("UKR", "UA", "Ukraine"),
    ("UMI", "UM", "United States Minor Outlying Islands"),
    ("URY", "UY", "Uruguay"),
    ("USA", "US", "United States"),
    ("UZB", "UZ", "Uzbekistan"),
    ("VAT", "VA", "Holy See (Vatican City State)"),
    ("VCT", "VC", "Saint Vincent and the Grenadines"),
    ("VEN", "VE", "Venezuela, Bolivarian Republic of"),
    ("VGB", "VG", "Virgin Islands, British"),
    ("VIR", "VI", "Virgin Islands, U.S."),
    ("VNM", "VN", "Viet Nam"),
    ("VUT", "VU", "Vanuatu"),
    ("WLF", "WF", "Wallis and Futuna"),
    ("WSM", "WS", "Samoa"),
    ("YEM", "YE", "Yemen"),
    ("ZAF", "ZA", "South Africa"),
    ("ZMB", "ZM", "Zambia"),
    ("ZWE", "ZW", "Zimbabwe"),
    ("XKX", "XK", "Kosovo"),
    ("UNK", "", "Kosovo (UNMIK travel document)"),
    ("UTO", "", "Utopia (ICAO specimen)"),
    ("XXA", "", "Stateless person"),
    ("XXB", "", "Refugee (1951 Convention)"),
    ("XXC", "", "Refugee (other)"),
    ("XXX", "", "Unspecified nationality"),
    ("UNO", "", "United Nations Organization"),
    ("UNA", "", "United Nations specialized agency"),
    ("EUE", "", "European Union"),
    ("XOM", "", "Sovereign Military Order of Malta"),
    ("XPO", "", "INTERPOL"),
    ("GBD", "", "British Overseas Territories Citizen"),
    ("GBN", "", "British National (Overseas)"),
    ("GBO", "", "British Overseas Citizen"),
    ("GBP", "", "British Protected Person"),
    ("GBS", "", "British Subject"),
    ("RKS", "", "Kosovo (as its passports write it)"),
    ("XBA", "", "African Development Bank"),
    ("XIM", "", "African Export-Import Bank"),
    ("XCC", "", "Caribbean Community"),
    ("XCE", "", "Council of Europe"),
    ("XCO", "", "Common Market for Eastern and Southern Africa"),
    ("XEC", "", "Economic Community of West African States"),
    ("XES", "", "Organisation of Eastern Caribbean States"),
    ("XMP", "", "Parliamentary Assembly of the Mediterranean"),
    ("XDC", "", "Southern African Development Community"),
    ("ANT", "", "Netherlands Antilles (former)"),
    ("NTZ", "", "Neutral Zone (former)"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_alpha3_alpha2_and_icao_codes() {
        for (input, want) in [
            ("FRA", "FRA"),
            ("fra", "FRA"),
            ("fr", "FRA"),
            ("iq", "IRQ"),
            ("UTO", "UTO"),
            ("D", "DEU"),
            ("xk", "XKX"),
        ] {
            assert_eq!(CountryCode::parse(input).unwrap().as_str(), want, "{input}");
        }
        for bad in ["", "ZZZ", "FRANCE", "12", "F"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mrz_codes_are_three_letters_or_d() {
        for (code, want) in [
            ("D", Some("DEU")),
            ("UTO", Some("UTO")),
            ("XXA", Some("XXA")),
        ] {
            assert_eq!(
                CountryCode::from_mrz(code)
                    .map(|c| c.to_string())
                    .as_deref(),
                want
            );
        }
        for bad in ["US", "ZZZ", "", "DE", "utO"] {
            assert_eq!(CountryCode::from_mrz(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_as_people_write_them() {
        for (name, want) in [
            ("Iraq", Some("IRQ")),
            ("syrian arab republic", Some("SYR")),
            ("Syria", Some("SYR")),
            ("Iran", Some("IRN")),
            ("Islamic Republic of Iran", Some("IRN")),
            ("Venezuela", Some("VEN")),
            ("COTE D'IVOIRE", Some("CIV")),
            ("Cote d Ivoire", Some("CIV")),
            ("North Korea", Some("PRK")),
            ("Republic of Korea", Some("KOR")),
            ("Korea", None),
            ("Congo", Some("COG")),
            ("Atlantis", None),
            ("", None),
        ] {
            assert_eq!(
                CountryCode::from_name(name)
                    .map(|c| c.to_string())
                    .as_deref(),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn alpha2_round_trip() {
        let c = CountryCode::parse("DEU").unwrap();
        assert_eq!(c.alpha2_lower().as_deref(), Some("de"));
        assert_eq!(CountryCode::parse("UTO").unwrap().alpha2_lower(), None);
        assert_eq!(CountryCode::from_name("Iraq").unwrap().as_str(), "IRQ");
    }
}
