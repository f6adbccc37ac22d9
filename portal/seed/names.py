"""Word lists for realistic German and English demo data."""

from __future__ import annotations

SURNAMES_DE = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Köhler",
    "Jäger",
    "Groß",
    "Böhm",
    "Vogel",
]
SURNAMES_EN = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
]
FIRST_DE = [
    "Anna",
    "Lukas",
    "Marie",
    "Jonas",
    "Sophie",
    "Leon",
    "Lea",
    "Felix",
    "Laura",
    "Paul",
    "Julia",
    "Maximilian",
    "Katharina",
    "Jürgen",
    "Birgit",
    "Stefan",
    "Sabine",
    "Thomas",
    "Andrea",
    "Uwe",
    "Michael",
    "Petra",
    "Markus",
    "Claudia",
    "Frank",
    "Monika",
    "Tobias",
    "Nicole",
    "Sven",
    "Daniela",
    "Matthias",
    "Kerstin",
]
FIRST_EN = [
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Emily",
    "James",
    "Grace",
    "William",
    "Sophia",
    "Thomas",
    "Charlotte",
    "Daniel",
    "Lucy",
]
TRADES_DE = [
    "Haustechnik",
    "Heizungsbau",
    "Sanitär und Heizung",
    "Wärmetechnik",
    "Gebäudetechnik",
    "Heizung & Solar",
    "Installationen",
    "Energietechnik",
    "Klimatechnik",
    "Kundendienst",
]
TRADES_EN = [
    "Plumbing",
    "Heating",
    "Building Services",
    "Facilities",
    "Engineering",
    "Mechanical",
    "Electrical",
    "Property Maintenance",
]
FORMS_DE = ["GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "e.K.", "KG", "OHG"]
FORMS_EN = ["Ltd", "PLC", "LLP", "& Sons Ltd"]
STREETS_DE = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Industriestraße",
    "Gartenweg",
    "Schillerstraße",
    "Goethestraße",
    "Lindenallee",
    "Am Markt",
    "Mühlenweg",
    "Werkstraße",
    "Ringstraße",
]
STREETS_EN = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "Park Avenue",
    "Queen Street",
    "King's Road",
]
# (postal code, city, area code): the dealers' Rhein-Main first (north, south), then the rest of Germany
CITIES_RHEIN_MAIN_NORTH = [
    ("60311", "Frankfurt am Main", "69"),
    ("60486", "Frankfurt am Main", "69"),
    ("61348", "Bad Homburg vor der Höhe", "6172"),
    ("61440", "Oberursel (Taunus)", "6171"),
    ("61169", "Friedberg (Hessen)", "6031"),
    ("61118", "Bad Vilbel", "6101"),
    ("65183", "Wiesbaden", "611"),
    ("63450", "Hanau", "6181"),
]
CITIES_RHEIN_MAIN_SOUTH = [
    ("64283", "Darmstadt", "6151"),
    ("63065", "Offenbach am Main", "69"),
    ("63225", "Langen (Hessen)", "6103"),
    ("63303", "Dreieich", "6103"),
    ("65428", "Rüsselsheim am Main", "6142"),
    ("55116", "Mainz", "6131"),
    ("64625", "Bensheim", "6251"),
]
CITIES_DE = [
    ("50667", "Köln", "221"),
    ("40213", "Düsseldorf", "211"),
    ("70173", "Stuttgart", "711"),
    ("80331", "München", "89"),
    ("20095", "Hamburg", "40"),
    ("30159", "Hannover", "511"),
    ("04109", "Leipzig", "341"),
    ("90402", "Nürnberg", "911"),
    ("34117", "Kassel", "561"),
    ("97070", "Würzburg", "931"),
    ("68159", "Mannheim", "621"),
    ("69117", "Heidelberg", "6221"),
    ("35390", "Gießen", "641"),
    ("36037", "Fulda", "661"),
]
CITIES_EN = [
    ("EC1A 1BB", "London", "20"),
    ("M1 1AE", "Manchester", "161"),
    ("B1 1AA", "Birmingham", "121"),
    ("LS1 1UR", "Leeds", "113"),
    ("BS1 4ST", "Bristol", "117"),
    ("EH1 1YZ", "Edinburgh", "131"),
    ("G1 1XQ", "Glasgow", "141"),
]
PRODUCTS = [
    ("Umwälzpumpe", "Circulation pump", "C62", "189.00"),
    ("Kugelhahn DN25", "Ball valve DN25", "C62", "24.90"),
    ("Heizkörper 600x1000", "Radiator 600x1000", "C62", "142.00"),
    ("Thermostatkopf", "Thermostat head", "C62", "18.50"),
    ("Ausdehnungsgefäß 25 l", "Expansion vessel 25 l", "C62", "64.00"),
    ("Kupferrohr 15 mm", "Copper pipe 15 mm", "MTR", "7.80"),
    ("Pressfitting 15 mm", "Press fitting 15 mm", "C62", "3.20"),
    ("Wärmepumpe 8 kW", "Heat pump 8 kW", "C62", "6890.00"),
    ("Pufferspeicher 500 l", "Buffer tank 500 l", "C62", "1290.00"),
    ("Sicherheitsventil 3 bar", "Safety valve 3 bar", "C62", "21.40"),
    ("Mischventil DN20", "Mixing valve DN20", "C62", "88.00"),
    ("Rohrisolierung 2 m", "Pipe insulation 2 m", "C62", "4.60"),
    ("Gas-Brennwertkessel", "Gas condensing boiler", "C62", "2450.00"),
    ("Fußbodenheizung Verteiler", "Underfloor heating manifold", "C62", "310.00"),
    ("Wärmeträgerflüssigkeit 20 l", "Heat transfer fluid 20 l", "LTR", "3.90"),
    ("Raumthermostat digital", "Digital room thermostat", "C62", "59.00"),
    ("Schmutzfänger DN32", "Strainer DN32", "C62", "35.00"),
    ("Manometer 0-6 bar", "Pressure gauge 0-6 bar", "C62", "12.30"),
    ("Solarkollektor 2,5 m²", "Solar collector 2.5 m²", "C62", "720.00"),
    ("Frischwasserstation", "Fresh water station", "C62", "1150.00"),
    ("Luft-Wasser-Wärmepumpe 12 kW", "Air-to-water heat pump 12 kW", "C62", "9480.00"),
    ("Hocheffizienzpumpe 25-60", "High-efficiency pump 25-60", "C62", "236.00"),
    ("Speicher-Wassererwärmer 300 l", "Hot water cylinder 300 l", "C62", "1380.00"),
    ("Heizungsregler witterungsgeführt", "Weather-compensated controller", "C62", "415.00"),
    ("Abgasrohr DN80 1 m", "Flue pipe DN80 1 m", "C62", "38.50"),
    ("Hydraulische Weiche", "Hydraulic separator", "C62", "279.00"),
]
# (subject, description) of support cases, German customers and English ones
CASE_SUBJECTS = [
    (
        "Wärmepumpe meldet Hochdruckstörung",
        "Außengerät schaltet seit gestern mehrmals täglich mit Hochdruckstörung ab. "
        "Anlage läuft nach Quittieren wieder an.",
    ),
    (
        "Gas-Brennwertkessel: Störung F28",
        "Kessel geht morgens auf Störung F28 (keine Flammenbildung). "
        "Gaszähler läuft, Zündelektrode wurde noch nicht geprüft.",
    ),
    (
        "Heizkörper im OG werden nicht warm",
        "Nach dem Tausch der Umwälzpumpe bleiben die Heizkörper im Obergeschoss kalt. "
        "Hydraulischer Abgleich wurde nicht neu gemacht.",
    ),
    (
        "Warmwasser nur lauwarm",
        "Speichertemperatur erreicht nur 42 °C statt 55 °C. Legionellenschaltung ist aktiv.",
    ),
    (
        "Ausdehnungsgefäß verliert Druck",
        "Anlagendruck fällt innerhalb einer Woche von 1,8 auf 0,9 bar. Keine sichtbare Leckage.",
    ),
    (
        "Umwälzpumpe macht Geräusche",
        "Pumpe brummt laut in Stufe 3, Kunde beschwert sich über Geräusche im Schlafzimmer.",
    ),
    (
        "Lieferung unvollständig",
        "Laut Lieferschein fehlen zwei Positionen (Thermostatköpfe). Bitte Nachlieferung bestätigen.",
    ),
    (
        "Falscher Artikel geliefert",
        "Geliefert wurde Kugelhahn DN20 statt DN25. Ware steht zur Abholung bereit.",
    ),
    (
        "Rechnung weicht vom Angebot ab",
        "Rechnungsbetrag liegt 4 % über dem Angebot; Projektrabatt wurde nicht berücksichtigt.",
    ),
    (
        "Inbetriebnahme Wärmepumpe terminieren",
        "Installation ist abgeschlossen, Elektroanschluss erfolgt am Montag. "
        "Bitte Termin für die Inbetriebnahme.",
    ),
    (
        "Wartung Brennwertkessel fällig",
        "Jährliche Wartung laut Wartungsvertrag fällig; Kunde bittet um Termin vormittags.",
    ),
    ("Sicherheitsventil tropft", "Sicherheitsventil am Speicher tropft nach jedem Aufheizvorgang."),
    (
        "Fußbodenheizung: Raumregler ohne Funktion",
        "Zwei Raumregler zeigen keine Anzeige, Stellantriebe bleiben geschlossen.",
    ),
    (
        "BEG-Förderantrag: Unterlagen benötigt",
        "Für den Förderantrag werden Datenblatt und Fachunternehmererklärung zur Wärmepumpe benötigt.",
    ),
    (
        "Garantiefall Pufferspeicher",
        "Undichtigkeit am Anschluss des Pufferspeichers, Baujahr 2024. Bitte Garantieabwicklung.",
    ),
]
CASE_SUBJECTS_EN = [
    (
        "Heat pump shows high-pressure fault",
        "The outdoor unit trips with a high-pressure fault several times a day.",
    ),
    ("Delivery incomplete", "Two items of the delivery note are missing. Please confirm when they follow."),
    (
        "Request for documentation",
        "Please send the data sheet and the declaration of conformity for the buffer tank.",
    ),
    ("Wrong part delivered", "We received ball valves DN20 instead of DN25."),
]
ACTIVITY_SUBJECTS = {
    "call": [
        "Rückruf wegen Reklamation",
        "Liefertermin abgestimmt",
        "Angebot nachgefasst",
        "Rückfrage zur Rechnung",
        "Terminvereinbarung Inbetriebnahme",
    ],
    "meeting": [
        "Jahresgespräch",
        "Projektbesprechung Neubau",
        "Produktvorstellung Wärmepumpe",
        "Quartalsgespräch Konditionen",
    ],
    "appointment": [
        "Inbetriebnahme Wärmepumpe",
        "Wartung Brennwertkessel",
        "Baustellenbesichtigung",
        "Schulung Monteure",
        "Heizlastberechnung vor Ort",
        "Hydraulischer Abgleich",
    ],
    "email": [
        "Preisliste 2026 verschickt",
        "Datenblätter gesendet",
        "Angebot Wärmepumpe verschickt",
        "Auftragsbestätigung weitergeleitet",
    ],
    "note": [
        "Kunde plant Umstieg auf Wärmepumpe",
        "Ansprechpartner Einkauf gewechselt",
        "Interesse an Wartungsvertrag",
        "Rahmenvertrag läuft im Sommer aus",
    ],
    "task": [
        "Angebot erstellen",
        "Rückruf einplanen",
        "Förderunterlagen zusammenstellen",
        "Muster für Schulung bestellen",
    ],
}
ACTIVITY_SUBJECTS_EN = [
    "Follow-up call",
    "Site visit",
    "Quarterly review",
    "Sent price list",
    "Commissioning of heat pump",
]
COMMENTS = [
    "Wir kümmern uns darum.",
    "Techniker ist für Donnerstag eingeplant.",
    "Ersatzteil bestellt, Lieferung voraussichtlich morgen.",
    "Bitte ein Foto vom Typenschild schicken.",
    "Kunde hat bestätigt, dass die Anlage wieder läuft.",
    "Rückfrage beim Hersteller läuft.",
    "Gutschrift wurde angefordert.",
    "Termin mit dem Kunden abgestimmt.",
    "Fehlerspeicher ausgelesen, Protokoll im Anhang.",
]
COMMENTS_EN = [
    "Please send photos of the type plate.",
    "Customer confirmed the fix.",
    "Credit note requested.",
]
# Customers that are not installers: housing companies, facility managers, municipal utilities.
INSTITUTIONS_DE = [
    ("Wohnungsbaugenossenschaft {city} eG", "wbg-{city}"),
    ("Stadtwerke {city} GmbH", "stadtwerke-{city}"),
    ("Hausverwaltung {surname} GmbH", "hausverwaltung-{surname}"),
    ("{surname} Facility Management GmbH", "{surname}-fm"),
]
POSITIONS_DE = ["Einkauf", "Geschäftsführung", "Technik", "Kundendienst", "Bauleitung", "Buchhaltung"]
POSITIONS_EN = ["Purchasing Manager", "Managing Director", "Service Manager", "Site Manager"]
