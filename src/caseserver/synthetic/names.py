"""Small built-in word lists for made-up people and places.

Names are common first names and surnames put together at random; towns and streets
are invented; postcodes start with Q, which no real UK postcode does; phone numbers
come from the ranges Ofcom keeps for drama. None of it describes a real person.
"""

from __future__ import annotations

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Adam", "Aaron", "Ben", "Callum", "Craig", "Daniel", "Darren", "Dean", "Ellis", "Faisal",
    "Gary", "Harvey", "Imran", "Jack", "Jamal", "Jason", "Kieran", "Lee", "Liam", "Marcus",
    "Mohammed", "Nathan", "Owen", "Paul", "Reece", "Ryan", "Sean", "Tariq", "Tom", "Wayne",
)
FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Amy", "Chantelle", "Chloe", "Danielle", "Emma", "Gemma", "Hannah", "Jade", "Kayleigh",
    "Laura", "Leanne", "Nadia", "Rachel", "Sophie", "Stacey", "Zoe",
)
SURNAMES: tuple[str, ...] = (
    "Ahmed", "Atkins", "Bailey", "Barker", "Bennett", "Brooks", "Carter", "Clarke", "Cole", "Doyle",
    "Evans", "Fletcher", "Foster", "Gibson", "Grant", "Hall", "Hughes", "Hussain", "Jennings",
    "Kaur", "Kelly", "Lawson", "Lloyd", "Marsh", "Mason", "Murphy", "Nolan", "Owens", "Parker",
    "Patel", "Quinn", "Reid", "Rowe", "Shaw", "Singh", "Stone", "Tucker", "Walsh", "Webb", "Wood",
)
OFFICER_FIRST_NAMES: tuple[str, ...] = (
    "Alison", "Bridget", "Colin", "Deborah", "Elaine", "Fiona", "Graham", "Helen", "Ian", "Janet",
    "Karen", "Martin", "Neil", "Priya", "Rob", "Sandra", "Trevor", "Yvonne",
)
OFFICER_SURNAMES: tuple[str, ...] = (
    "Ashworth", "Beckett", "Chambers", "Dunmore", "Ellery", "Fairbanks", "Greaves", "Holloway",
    "Ingram", "Kendrick", "Lomax", "Merriman", "Pickering", "Radley", "Sefton", "Thorne",
)
TOWNS: tuple[str, ...] = (
    "Ambleworth", "Brindlecombe", "Cresswater", "Dunmarrow", "Elderbrook", "Foxmere",
    "Gorsebridge", "Hollinsby",
)
TEAM_SUFFIXES: tuple[str, ...] = ("North", "South", "East", "West", "Central")
STREETS: tuple[str, ...] = (
    "Alder", "Beacon", "Canal", "Chapel", "Church", "Coronation", "Elm", "Foundry", "Gas",
    "Hawthorn", "Jubilee", "Kiln", "Linden", "Mill", "Orchard", "Park", "Quarry", "Railway",
    "Rowan", "Station", "Tannery", "Victoria", "Willow", "Wharf",
)
STREET_KINDS: tuple[str, ...] = ("Street", "Road", "Lane", "Close", "Avenue", "Terrace", "Way")
HOUSING: tuple[str, ...] = ("", "", "", "", "Flat 2, ", "Flat 7, ", "Room 4, ", "Flat 11, ")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

OFFENCES: tuple[str, ...] = (
    "Theft from a shop", "Assault occasioning actual bodily harm", "Burglary of a dwelling",
    "Possession of a Class B drug with intent to supply", "Criminal damage", "Common assault",
    "Driving while disqualified", "Fraud by false representation", "Harassment",
    "Handling stolen goods", "Affray", "Robbery", "Breach of a restraining order",
    "Possession of a bladed article", "Drink driving", "Assault of an emergency worker",
)
