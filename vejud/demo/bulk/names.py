"""Synthetic names for the bulk demo data, spread like real ones.

The showcase data (``vejud.demo.showcase``) draws from a few dozen first and last
names. At a million persons that would give each full name some nine hundred
bearers, a population no country has, and would make every name search return a
crowd. Here first names, middle names (about two in five people carry one, as in
Denmark) and surnames come from lists a few hundred long, mixing names common in
Denmark with those of its larger immigrant communities, so a full name has a
handful of bearers among a million persons and a name with a middle name
almost always one. All names are ordinary and none is a real person's record.
"""

from __future__ import annotations

# fmt: off
FIRST_NAMES_MEN = (
    "Mads", "Mikkel", "Rasmus", "Frederik", "Jonas", "Emil", "Mathias", "Magnus", "Oliver",
    "Lucas", "William", "Noah", "Victor", "Malthe", "Christian", "Kasper", "Simon", "Nikolaj",
    "Martin", "Thomas", "Jesper", "Lars", "Jens", "Søren", "Peter", "Michael", "Henrik",
    "Anders", "Morten", "Jacob", "Daniel", "Alexander", "Sebastian", "Tobias", "Oscar", "Carl",
    "August", "Alfred", "Elias", "Benjamin", "Nicklas", "Patrick", "Dennis", "Brian", "Kenneth",
    "René", "Jimmy", "Kim", "Ronni", "Jannik", "Steffen", "Bo", "Ole", "Torben", "Claus",
    "Kristian", "Mark", "Philip", "Sune", "Anton", "Esben", "Bjarke", "Rune", "Jakob", "Niels",
    "Jeppe", "Asger", "Casper", "Andreas", "Sander", "Marcus", "Jonathan", "Valdemar", "Storm",
    "Theo", "Laurits", "Mikael", "Johannes", "Stefan", "Allan", "Tommy", "Carsten", "Jan",
    "Per", "Finn", "Flemming", "Kurt", "Ib", "Leif", "Preben", "Tonny", "Danny", "Ricky",
    "Johnny", "Bobby", "Robin", "Kevin", "Ahmad", "Ali", "Mohammed", "Omar", "Hassan",
    "Hussein", "Yusuf", "Ibrahim", "Mustafa", "Karim", "Khalid", "Tariq", "Bilal", "Hamza",
    "Samir", "Amir", "Jamal", "Nadeem", "Imran", "Faisal", "Abdi", "Said", "Rashid", "Emre",
    "Burak", "Mehmet", "Kemal", "Murat", "Serkan", "Can", "Deniz", "Adnan", "Anas", "Zakaria",
    "Younes", "Ayoub", "Mahmoud", "Walid", "Nabil", "Sami", "Reza", "Arash", "Dariush", "Milad",
    "Aram", "Dilan", "Goran", "Dragan", "Nikola", "Marko", "Luka", "Tomasz", "Piotr", "Jakub",
    "Mehdi", "Hamid", "Yasin", "Ismail", "Youssef", "Abdullah", "Osman", "Kadir", "Baran",
    "Rebin", "Shwan", "Kawa", "Hiwa", "Abdirahman", "Mahad", "Liban", "Samatar", "Daud",
)
FIRST_NAMES_WOMEN = (
    "Camilla", "Sofie", "Emma", "Ida", "Julie", "Maria", "Laura", "Sara", "Fatima", "Aisha",
    "Mariam", "Yasmin", "Amina", "Leila", "Nadia", "Louise", "Mette", "Anne", "Line", "Stine",
    "Cecilie", "Freja", "Josefine", "Signe", "Maja", "Karoline", "Nanna", "Tina", "Pernille",
    "Zeynep", "Elif", "Hodan", "Asli", "Sana", "Noor",
)
MIDDLE_NAMES = (
    "Holm", "Lund", "Bach", "Skov", "Dahl", "Berg", "Friis", "Kjær", "Krogh", "Bruun", "Juul",
    "Munk", "Storm", "Vinther", "Hald", "Lykke", "Due", "Bang", "Høj", "Dalgaard", "Brandt",
    "Søgaard", "Lindholm", "Overgaard", "Bech", "Borup", "Riis", "Kirk", "Bisgaard", "Hvid",
    "Nygaard", "Mølgaard", "Thorup", "Gade", "Schou", "Fog", "Rosendahl", "Ravn", "Wulff",
    "Engel", "Lindgaard", "Bak", "Kofoed", "Lauritzen", "Lind", "Sand", "Mose", "Dam", "Lynge",
    "Ask", "Eg", "Bøgh", "Aagaard", "Grønbech", "Toft", "Hjort", "Winther", "Kragh", "Brink",
    "Busk", "Hauge", "Kirkegaard", "Vang", "Brix", "Bundgaard", "Damgaard", "Enevoldsen",
    "Fisker", "Gram", "Holst", "Husted", "Kamp", "Klit", "Kold", "Ladefoged", "Lyng", "Moos",
    "Mørk", "Nørby", "Obel", "Qvist", "Refslund", "Rye", "Sahl", "Stokholm", "Thy", "Vad",
)
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Jacobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt",
    "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen",
    "Jeppesen", "Mogensen", "Jespersen", "Nissen", "Lauridsen", "Kjær", "Carlsen",
    "Østergaard", "Vestergaard", "Jepsen", "Nørgaard", "Dam", "Bertelsen", "Bach", "Berg",
    "Friis", "Mathiesen", "Hedegaard", "Lassen", "Koch", "Kjeldsen", "Winther", "Søndergaard",
    "Bruun", "Krogh", "Skov", "Thygesen", "Lindberg", "Bjerre", "Dahl", "Villadsen", "Nyborg",
    "Gregersen", "Søgaard", "Ravn", "Kofoed", "Overgaard", "Bak", "Toft", "Steffensen",
    "Hermansen", "Nikolajsen", "Bech", "Juhl", "Ibsen", "Kirkegaard", "Lorentzen", "Danielsen",
    "Paulsen", "Justesen", "Dalsgaard", "Fischer", "Brandt", "Munch", "Riis", "Abildgaard",
    "Ahmadi", "Ali", "Hussein", "Mohammed", "Khan", "Yilmaz", "Kaya", "Demir", "Çelik",
    "Şahin", "Öztürk", "Aydın", "Arslan", "Doğan", "Hassan", "Ibrahim", "Abdullah", "Rahimi",
    "Hosseini", "Karimi", "Mahmoud", "Omar", "Haddad", "Nasser", "Saleh", "Jaber", "Abbas",
    "Farah", "Warsame", "Osman", "Jama", "Nowak", "Kowalski", "Wiśniewski", "Petrović",
    "Jovanović", "Nikolić", "Hodžić", "Begić", "Kovačević", "Popescu", "Horvat", "Malik",
    "Chaudhry", "Butt", "Qureshi", "Akhtar", "Rashid", "Aziz", "Yousef", "Said", "El-Amin",
    "Bakr", "Hamdan", "Zaid", "Mansour", "Khalil", "Awad", "Barzani", "Talabani", "Amin",
    "Rostami", "Moradi", "Sadeghi", "Jafari", "Nouri", "Sharif", "Hashemi", "Ghani", "Nazari",
    "Noorzai", "Popal", "Stanekzai", "Aden", "Hirsi", "Dualeh", "Egal", "Nur", "Guled",
    "Koç", "Özdemir", "Polat", "Güneş", "Aksoy", "Kurt", "Erdem", "Yıldız", "Tekin", "Bulut",
)
# fmt: on

# Share of women among the synthetic persons, and of persons with a middle name.
WOMEN_SHARE = 0.1
MIDDLE_NAME_SHARE = 0.4
