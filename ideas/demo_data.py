"""The text behind `manage.py seed_demo`: categories, the demo cast, hand-written ideas in the
voice of a 2007-2008 hardware customer board, and the pools generated ideas are built from."""

from textwrap import dedent

CATEGORIES = [
    # (name, slug, description)
    ("Desktops", "desktops", "Towers, small-form-factor and all-in-one PCs for home and office."),
    ("Notebooks", "notebooks", "Laptops of every size: screens, keyboards, batteries, ports."),
    ("Software", "software", "What comes pre-installed, drivers, BIOS and operating systems."),
    (
        "Servers and storage",
        "servers-and-storage",
        "Rack and tower servers, storage arrays, remote management.",
    ),
    ("Support", "support", "Warranty, repairs, manuals, ordering, shipping and this site."),
    ("Accessories", "accessories", "Monitors, keyboards, mice, docks, adapters and batteries."),
]

DEMO_PASSWORD = "ideastorm-demo"

# The fixed cast: (username, first name, last name, group or None, is superuser).
NAMED_USERS = [
    ("alice", "Alice", "Martin", None, False),
    ("bob", "Bob", "Nguyen", None, False),
    ("pat", "Pat", "Morgan", "Product managers", False),
    ("mo", "Mo", "Haddad", "Moderators", False),
    ("admin", "Ada", "Admin", None, True),
]
# Members of the cast who vote like customers do; staff keep their hands off the counts.
NAMED_VOTERS = ["alice", "bob"]

FIRST_NAMES = [
    "aaron",
    "abby",
    "adam",
    "adrian",
    "aisha",
    "alan",
    "alex",
    "alicia",
    "amir",
    "amy",
    "andre",
    "andrea",
    "andy",
    "angela",
    "anil",
    "anna",
    "ben",
    "beth",
    "bill",
    "brad",
    "brian",
    "carla",
    "carlos",
    "carmen",
    "chen",
    "chris",
    "claire",
    "colin",
    "craig",
    "dan",
    "dana",
    "daniel",
    "dave",
    "david",
    "deepak",
    "derek",
    "diana",
    "dmitri",
    "doug",
    "ed",
    "elena",
    "emily",
    "eric",
    "erin",
    "fatima",
    "felix",
    "frank",
    "gabe",
    "gary",
    "george",
    "greg",
    "hannah",
    "hans",
    "harry",
    "hector",
    "helen",
    "ian",
    "igor",
    "irene",
    "jack",
    "jake",
    "james",
    "jan",
    "jason",
    "jeff",
    "jen",
    "jenny",
    "jim",
    "joe",
    "john",
    "jon",
    "jorge",
    "jose",
    "juan",
    "julia",
    "karen",
    "kate",
    "keith",
    "ken",
    "kevin",
    "kim",
    "kyle",
    "lars",
    "laura",
    "lee",
    "leo",
    "lin",
    "lisa",
    "luis",
    "luke",
    "maria",
    "mark",
    "marta",
    "matt",
    "megan",
    "mike",
    "ming",
    "nadia",
    "nate",
    "neil",
    "nick",
    "nina",
    "olga",
    "omar",
    "oscar",
    "paul",
    "pedro",
    "pete",
    "phil",
    "priya",
    "raj",
    "rachel",
    "ray",
    "rob",
    "rosa",
    "ryan",
    "sam",
    "sandra",
    "sara",
    "scott",
    "sean",
    "sergei",
    "shawn",
    "simon",
    "sofia",
    "steve",
    "sue",
    "tara",
    "ted",
    "tim",
    "tom",
    "tony",
    "tran",
    "vic",
    "vijay",
    "wei",
    "will",
    "yuki",
    "zach",
]

LAST_NAMES = [
    "adams",
    "ali",
    "anderson",
    "baker",
    "bell",
    "brooks",
    "brown",
    "campbell",
    "carter",
    "chen",
    "clark",
    "cohen",
    "collins",
    "cook",
    "cooper",
    "cruz",
    "davis",
    "diaz",
    "edwards",
    "evans",
    "fischer",
    "foster",
    "garcia",
    "gomez",
    "gray",
    "green",
    "hall",
    "harris",
    "hill",
    "hughes",
    "jackson",
    "james",
    "johnson",
    "jones",
    "kelly",
    "kim",
    "king",
    "kowalski",
    "lee",
    "lewis",
    "lopez",
    "martin",
    "miller",
    "mitchell",
    "moore",
    "morris",
    "murphy",
    "nelson",
    "nguyen",
    "olsen",
    "parker",
    "patel",
    "perez",
    "peterson",
    "phillips",
    "price",
    "reed",
    "reyes",
    "rivera",
    "roberts",
    "robinson",
    "rogers",
    "ross",
    "russell",
    "sanchez",
    "schmidt",
    "scott",
    "shah",
    "singh",
    "smith",
    "stewart",
    "sullivan",
    "taylor",
    "thomas",
    "thompson",
    "turner",
    "walker",
    "wang",
    "ward",
    "watson",
    "white",
    "williams",
    "wilson",
    "wood",
    "wright",
    "young",
    "zhang",
]

# Hobby handles people pick when their name is taken.
HANDLES = [
    "linuxfan",
    "tuxlover",
    "penguin",
    "geek",
    "techie",
    "gamer",
    "dad",
    "mom",
    "sysadmin",
    "hacker",
    "nerd",
    "coder",
    "builder",
    "tinkerer",
    "overclocker",
    "modder",
    "road_warrior",
    "student",
    "prof",
]


def _md(text: str) -> str:
    return dedent(text).strip()


# Hand-written ideas. days_ago places them on the board's timeline, popularity is a relative
# weight for the vote allocation, hot ideas get a burst of recent votes, demote_rate overrides
# the usual share of demotes for ideas people disagree about. An idea past "new" reached its
# status through the steps in seed_demo.STATUS_PATHS, the last of them with its "response".
IDEAS = [
    {
        "title": "Pre-install Linux (Ubuntu, Fedora or openSUSE) as a factory option",
        "category": "software",
        "status": "implemented",
        "tags": ["linux", "open source", "pricing"],
        "response": _md(
            """
            Ubuntu 7.04 now ships as a factory option on one desktop and two notebooks in the
            home line, with every component on them tested at the factory, and those
            configurations are priced without a Windows licence. Fedora and openSUSE aren't
            offered yet: we started with the distribution most of you asked for, and we will
            post here before we add another.
            """
        ),
        "days_ago": 238,
        "popularity": 100,
        "body": _md(
            """
            Give us the choice of a Linux distribution at order time, installed and tested at
            the factory like Windows is today. Ubuntu is the obvious first pick, but Fedora and
            openSUSE have big communities too, and a dual-boot option would win over a lot of
            people who are curious but nervous.

            Right now I pay for a Windows licence I wipe on day one, then spend an evening
            chasing drivers for the Wi-Fi card and the sound chip. If the machine shipped with
            Linux, you would have done that work once for everyone.

            What I would like to see in the configurator:

            - Ubuntu (latest release), Fedora, openSUSE
            - a multi-boot option with Windows on one partition
            - the Windows licence price taken off when I don't choose it
            """
        ),
    },
    {
        "title": "Ship OpenOffice.org instead of the Works suite",
        "category": "software",
        "status": "under-review",
        "tags": ["open source", "bloatware"],
        "response": _md(
            """
            We are testing OpenOffice.org 2.2 on the home desktop image, with the kinds of school
            and office documents you describe, and on the recovery disc. Our Works licence runs
            to the end of the year, so any change would start with next year's models; we will
            post the outcome here.
            """
        ),
        "days_ago": 236,
        "popularity": 62,
        "body": _md(
            """
            The Works suite that comes on home machines can't open half the files my kids bring
            home from school, and the upgrade nag starts on the first boot. OpenOffice.org
            reads and writes Word and Excel files, it is free, and it runs on Windows and Linux
            alike.

            Pre-installing it would cost you nothing in licences and would save every family a
            download. If you have a marketing deal that makes Works hard to drop, at least put
            OpenOffice.org on the recovery disc as an option.
            """
        ),
    },
    {
        "title": "Offer a clean install option: the operating system and drivers, nothing else",
        "category": "software",
        "status": "planned",
        "tags": ["bloatware", "drivers"],
        "response": _md(
            """
            A **no additional software** option is planned for home desktops and notebooks this
            autumn: the operating system, the drivers for the parts you ordered and the recovery
            tools, nothing else, at no extra cost. Partner software will still be offered in the
            configurator, but unticked.
            """
        ),
        "days_ago": 235,
        "popularity": 74,
        "body": _md(
            """
            A checkbox in the configurator: "no additional software". The machine arrives with
            the operating system, the drivers for the hardware I bought and nothing more. No
            trial antivirus, no photo suite, no ISP sign-up icons, no toolbar.

            Most people I know spend the first hour with a new PC uninstalling things. Some
            of them don't know how and just live with a slower computer. I would happily tick
            a box, and I suspect I would even pay a small fee for it if that is what it takes.
            """
        ),
    },
    {
        "title": "Let us buy any desktop or notebook with no operating system at all",
        "category": "software",
        "status": "new",
        "tags": ["pricing", "linux", "ordering"],
        "days_ago": 233,
        "popularity": 40,
        "demote_rate": 0.34,
        "body": _md(
            """
            Some of us already own a licence, run a volume-licensed image at work, or install
            our own Linux or BSD. Let us order the bare hardware and take the operating system
            cost off the price.

            The business line already allows this on a few models, so the factory process
            clearly exists. Please make it a normal option on the home models as well, even if
            it comes with limited software support.
            """
        ),
    },
    {
        "title": "Make Firefox the default browser on new machines",
        "category": "software",
        "status": "declined",
        "tags": ["open source", "security"],
        "response": _md(
            """
            We are declining this one. The default browser is part of the operating system we
            license, and changing it on every machine would also change the support scripts and
            help pages our phone team works from, which we can't fund this year. Firefox is
            already the default on our Ubuntu machines, and on Windows it is a free download
            you can make the default in two clicks.
            """
        ),
        "days_ago": 231,
        "popularity": 28,
        "demote_rate": 0.38,
        "body": _md(
            """
            Firefox is faster, has tabs and pop-up blocking that actually work, and has far
            fewer security holes than the browser that ships today. Setting it as the default
            would make new owners safer from day one.

            If making it the default is a problem, at least put the installer on the desktop
            so people know there is a choice.
            """
        ),
    },
    {
        "title": "Stop pre-loading trialware that expires after 60 days",
        "category": "software",
        "status": "new",
        "tags": ["bloatware"],
        "days_ago": 226,
        "popularity": 58,
        "body": _md(
            """
            Sixty days after I buy a computer, it starts nagging me about three different
            products I never asked for: the office trial, the antivirus trial and a backup
            service. My parents thought their new computer was broken.

            Trialware makes a brand-new machine feel cheap. If a partner pays you to include
            it, please be open about how much, and let those of us who don't want it opt out
            when we order.
            """
        ),
    },
    {
        "title": "Stop forcing a paid antivirus subscription into every build",
        "category": "software",
        "status": "under-review",
        "tags": ["bloatware", "security", "pricing"],
        "response": _md(
            """
            You're right that the subscription can't be removed in the configurator today, and
            that removing it later takes a separate tool. We are reviewing the contract with our
            security partner to make it a line item you can remove, with a credit; expect an
            update here within two months.
            """
        ),
        "days_ago": 198,
        "popularity": 44,
        "body": _md(
            """
            I could not find a way to order a desktop without the 15-month antivirus
            subscription. It is not optional in the configurator, and removing it later takes
            a special uninstall tool.

            Please make it a line item I can remove, or offer a free alternative in the same
            spot. People who want the subscription can still pick it.
            """
        ),
    },
    {
        "title": "Publish Linux drivers for every component you ship",
        "category": "software",
        "status": "in-progress",
        "tags": ["linux", "drivers"],
        "response": _md(
            """
            Our engineers are working with two component vendors to get their Wi-Fi and card
            reader drivers into the mainline kernel, and new models offered with Linux now use
            only parts with in-kernel drivers. Next comes a Linux support table for each
            component on the product pages, starting with the Ubuntu models.
            """
        ),
        "days_ago": 221,
        "popularity": 66,
        "body": _md(
            """
            Before I buy, I want to know that every part of the machine works under Linux: the
            Wi-Fi, the card reader, the webcam, suspend and resume, the volume buttons. Today
            that means reading forum threads for a week.

            Suggestions:

            - prefer parts whose drivers are already in the mainline kernel
            - when you pick a part that isn't, work with the vendor to get a driver upstream
            - list Linux support per component on the product page

            The upstream route is the one that lasts: a driver in the kernel keeps working
            after the next release, a binary download on your site does not.
            """
        ),
    },
    {
        "title": "BIOS updates that don't need Windows",
        "category": "software",
        "status": "planned",
        "tags": ["firmware", "linux"],
        "response": _md(
            """
            From the next release on, every desktop and notebook BIOS update will also be
            published as a bootable FreeDOS image you can burn to CD or write to a USB stick.
            Server firmware, RAID controllers and network cards included, follows in a later
            phase.
            """
        ),
        "days_ago": 214,
        "popularity": 57,
        "hot": True,
        "body": _md(
            """
            Every BIOS update I have downloaded is a Windows executable. If the machine runs
            Linux, or has no operating system yet, there is no supported way to flash it.

            Please also publish each update as a bootable image (a CD ISO or a USB image with
            FreeDOS would do) or as a plain file that a Linux tool can flash. Server owners
            have the same problem with firmware for RAID controllers and network cards.
            """
        ),
    },
    {
        "title": "Put Ubuntu in the build-your-PC menu for every model, not just three",
        "category": "software",
        "status": "new",
        "tags": ["linux", "ordering"],
        "days_ago": 96,
        "popularity": 70,
        "hot": True,
        "body": _md(
            """
            Thank you for shipping Ubuntu! But it is only offered on one desktop and two
            notebooks, and it's hidden on a separate page instead of the normal configurator.

            Please make it an operating system choice on every consumer model, next to the
            Windows options, with the same hardware choices. People who go looking for the
            separate page can't find it, and people who don't know about it never see it.
            """
        ),
    },
    {
        "title": "Put recovery discs in the box instead of a hidden partition",
        "category": "software",
        "status": "new",
        "tags": ["support", "windows"],
        "days_ago": 162,
        "popularity": 23,
        "body": _md(
            """
            When the hard drive dies, the recovery partition dies with it. Then I have to call
            support, wait a week and sometimes pay to get discs that should have been in the
            box.

            Two DVDs cost very little. Ship them with the machine, or at least let me order
            them at checkout for a small fee.
            """
        ),
    },
    {
        "title": "Keep offering Windows XP as a factory option on business machines",
        "category": "software",
        "status": "new",
        "tags": ["windows", "business"],
        "days_ago": 120,
        "popularity": 35,
        "demote_rate": 0.42,
        "body": _md(
            """
            Our company software is certified on XP only, and it will stay that way until the
            vendor ships a new version next year. We buy about 200 machines a year and we want
            them to arrive with the system we actually run.

            I know the new system is the future. Please keep XP available for business
            customers until the end of next year.
            """
        ),
    },
    {
        "title": "Use one standard power connector on all notebooks",
        "category": "notebooks",
        "status": "new",
        "tags": ["power", "standards"],
        "days_ago": 206,
        "popularity": 64,
        "hot": True,
        "body": _md(
            """
            Our office has notebooks from four generations, and every one needs a different
            adapter. When someone forgets theirs, nobody can lend them one.

            Pick one barrel size and voltage for all notebooks and keep it for years. Apple
            does this and it is the single thing I envy about their machines. Even better,
            publish the spec so third-party car and airline adapters work too.
            """
        ),
    },
    {
        "title": "A magnetic power connector that pops out when someone trips on the cord",
        "category": "notebooks",
        "status": "new",
        "tags": ["power", "repairs"],
        "days_ago": 190,
        "popularity": 31,
        "body": _md(
            """
            My daughter's notebook went off the kitchen table when the dog ran through the
            cable. A connector held by a magnet would have let go instead of pulling the whole
            machine down.

            It is a small part, it saves a lot of broken hinges and screens, and I am sure it
            would cut down on warranty claims.
            """
        ),
    },
    {
        "title": "Backlit keyboards on all notebooks",
        "category": "notebooks",
        "status": "implemented",
        "tags": ["keyboard"],
        "response": _md(
            """
            A backlit keyboard with two brightness levels and an off switch is now an option on
            every notebook line, the budget models included, for a small extra charge. It
            toggles with Fn and the right arrow key and needs no driver, so it works under any
            operating system.
            """
        ),
        "days_ago": 188,
        "popularity": 48,
        "body": _md(
            """
            I work on planes and in dim meeting rooms. A keyboard backlight, even a simple one
            with two brightness levels and an off switch, makes a huge difference.

            Please offer it on every line, including the budget models, as a cheap option.
            """
        ),
    },
    {
        "title": "Offer matte screens again",
        "category": "notebooks",
        "status": "new",
        "tags": ["display"],
        "days_ago": 175,
        "popularity": 42,
        "body": _md(
            """
            Glossy screens look great in the store and terrible everywhere else: on a train,
            near a window or under office lights I see my own face more than my spreadsheet.

            Please keep a matte (anti-glare) panel as an option on every notebook size. A lot
            of us would pick it even at a small extra cost.
            """
        ),
    },
    {
        "title": "Cheaper RAM upgrades for notebooks",
        "category": "notebooks",
        "status": "new",
        "tags": ["pricing", "upgrades"],
        "days_ago": 142,
        "popularity": 46,
        "body": _md(
            """
            Going from 1 GB to 2 GB in the configurator costs about three times what the same
            module costs in any shop. Many people don't know they can upgrade it themselves,
            so they pay it or end up with a machine that crawls.

            Please price memory upgrades close to the market price. You will sell more
            machines with enough RAM and get fewer "my computer is slow" support calls.
            """
        ),
    },
    {
        "title": "Design a notebook for Linux from the ground up",
        "category": "notebooks",
        "status": "planned",
        "tags": ["linux", "drivers"],
        "response": _md(
            """
            We are designing a 13-inch notebook around parts with open drivers (Intel graphics,
            Intel Wi-Fi and a standard UVC webcam), with suspend and resume tested at the
            factory under Ubuntu. It is planned for next spring; the penguin on the Super key is
            still being debated.
            """
        ),
        "days_ago": 230,
        "popularity": 52,
        "body": _md(
            """
            Not just Linux pre-installed on a Windows design, but a notebook where every part
            was chosen because it has open drivers: Intel graphics and Wi-Fi, a webcam that
            works with the standard video driver, a card reader that just works.

            Test suspend, resume and hibernate at the factory. Put a penguin on the Super key
            if you like. I would buy two.
            """
        ),
    },
    {
        "title": "Tell us which Wi-Fi chipset is inside before we buy",
        "category": "notebooks",
        "status": "new",
        "tags": ["wireless", "linux", "transparency"],
        "days_ago": 21,
        "popularity": 50,
        "hot": True,
        "body": _md(
            """
            The configurator says "802.11g wireless card" and nothing else. Whether that is
            an Intel, Atheros or Broadcom chip decides whether it works with Linux out of the
            box, whether it supports monitor mode, and which driver I need.

            Please name the exact chipset, and the same for the graphics, sound, Ethernet and
            card reader. It costs you one line of text per option.
            """
        ),
    },
    {
        "title": "A physical wireless on/off switch that works without drivers",
        "category": "notebooks",
        "status": "new",
        "tags": ["wireless", "battery"],
        "days_ago": 151,
        "popularity": 19,
        "body": _md(
            """
            The wireless switch on my notebook only works through a Windows utility. Under
            Linux the radio is either always on or always off depending on how I booted.

            A hardware switch that cuts the radio directly would be simpler, save battery and
            make airline staff happy.
            """
        ),
    },
    {
        "title": "Offer a slim extra battery for the thin-and-light notebooks",
        "category": "notebooks",
        "status": "new",
        "tags": ["battery"],
        "days_ago": 109,
        "popularity": 16,
        "body": _md(
            """
            The thin models get about three hours. The 9-cell battery sticks out of the back
            and ruins the point of a thin machine.

            A slice battery that clips under the base, charged through the main adapter, would
            let us choose thin on some days and all-day on others.
            """
        ),
    },
    {
        "title": "Keep the pointing stick on business notebooks",
        "category": "notebooks",
        "status": "new",
        "tags": ["keyboard", "business"],
        "days_ago": 84,
        "popularity": 14,
        "demote_rate": 0.3,
        "body": _md(
            """
            Rumour says the next business line drops the pointing stick in the middle of the
            keyboard. Those of us who touch-type rely on it: we never have to move our hands.

            Please keep it, with three physical buttons. People who don't use it can ignore
            it; people who do will switch brands without it.
            """
        ),
    },
    {
        "title": "Make home desktops quieter",
        "category": "desktops",
        "status": "new",
        "tags": ["noise"],
        "days_ago": 168,
        "popularity": 27,
        "body": _md(
            """
            My new tower is louder than the old one it replaced. The case fan runs at full
            speed even when the machine is idle, and the power supply whines.

            - use larger, slower fans with temperature control
            - offer a quiet power supply option
            - publish the noise level in decibels on the product page

            A PC in a living room or a bedroom should be close to silent when it isn't doing
            anything.
            """
        ),
    },
    {
        "title": "Use standard ATX power supplies and motherboards in desktops",
        "category": "desktops",
        "status": "under-review",
        "tags": ["standards", "repairs", "upgrades"],
        "response": _md(
            """
            We are reviewing the power supply and motherboard specifications for the next home
            desktop cases. The small cases need custom shapes to fit, but the towers could take
            standard ATX parts, and we will share what we decide here.
            """
        ),
        "days_ago": 201,
        "popularity": 33,
        "body": _md(
            """
            When the power supply in my three-year-old desktop died, I learned it has a custom
            connector. The only replacement is yours, at twice the price of a standard unit,
            and it's out of stock.

            Standard parts would let us repair and upgrade our machines ourselves. That keeps
            customers happy and keeps old machines out of landfills.
            """
        ),
    },
    {
        "title": "A small, low-power desktop for the living room",
        "category": "desktops",
        "status": "new",
        "tags": ["green", "noise"],
        "days_ago": 64,
        "popularity": 22,
        "body": _md(
            """
            Something the size of a hardback book that draws 30 watts, has HDMI out and can
            sit next to the TV. Notebook parts in a tiny case would do.

            Lots of people just need email, photos and video. Offer it with Linux or Windows
            and a wireless keyboard.
            """
        ),
    },
    {
        "title": "Let us order a desktop without a monitor, keyboard or mouse",
        "category": "desktops",
        "status": "new",
        "tags": ["ordering", "pricing"],
        "days_ago": 130,
        "popularity": 17,
        "body": _md(
            """
            I already own a good monitor and a keyboard I like. Every desktop I order arrives
            with another keyboard and mouse that go straight into a cupboard, and on some
            models a monitor is mandatory.

            Make all peripherals optional and take their price off.
            """
        ),
    },
    {
        "title": "Tool-less cases on home desktops, not only on business models",
        "category": "desktops",
        "status": "implemented",
        "tags": ["upgrades", "repairs"],
        "response": _md(
            """
            All new home desktop towers now use the tool-less chassis from the business line:
            one latch on the side panel, and drives and cards on rails. Adding memory or a
            second drive no longer needs a screwdriver.
            """
        ),
        "days_ago": 215,
        "popularity": 21,
        "body": _md(
            """
            The business desktops open with one latch and every drive slides out on rails.
            The home models need a screwdriver and a lot of patience.

            Please bring the tool-less design to the home line. Adding memory or a second
            drive should take two minutes.
            """
        ),
    },
    {
        "title": "LED-backlit monitors",
        "category": "accessories",
        "status": "planned",
        "tags": ["display", "green"],
        "response": _md(
            """
            LED-backlit 20 and 22 inch monitors are planned for the first half of next year:
            mercury-free, and using about a third less power than the current panels. They will
            cost a little more than today's models at launch.
            """
        ),
        "days_ago": 154,
        "popularity": 38,
        "body": _md(
            """
            LED backlights use less power, contain no mercury, turn on instantly and give more
            even brightness than the fluorescent tubes in today's panels.

            Please offer them on the 20 and 22 inch monitors first, where most of us buy.
            """
        ),
    },
    {
        "title": "Sell spare power adapters at a fair price",
        "category": "accessories",
        "status": "new",
        "tags": ["power", "pricing"],
        "days_ago": 115,
        "popularity": 24,
        "body": _md(
            """
            A second adapter for the office costs more than a third of a budget notebook's
            price in your store. Most people end up with cheap copies that run hot.

            Sell genuine spare adapters at a reasonable price, ideally as a bundle option at
            checkout.
            """
        ),
    },
    {
        "title": "Height-adjustable stands on all monitors",
        "category": "accessories",
        "status": "new",
        "tags": ["display", "ergonomics"],
        "days_ago": 77,
        "popularity": 15,
        "body": _md(
            """
            Only the top monitors can be raised or tilted properly. On the others I need a
            stack of books to get the screen to eye level.

            A stand that adjusts height, tilt and swivel, and a standard VESA mount on every
            model, please.
            """
        ),
    },
    {
        "title": "A docking station that works across notebook generations",
        "category": "accessories",
        "status": "new",
        "tags": ["business", "standards"],
        "days_ago": 58,
        "popularity": 20,
        "body": _md(
            """
            We replaced 50 notebooks last year and had to throw away 50 docking stations
            because the connector changed.

            Keep the dock connector stable for at least three generations, and say on the
            product page which docks each model fits.
            """
        ),
    },
    {
        "title": "Standard keyboard layout: put Insert, Home and End back where they belong",
        "category": "accessories",
        "status": "new",
        "tags": ["keyboard", "standards"],
        "days_ago": 45,
        "popularity": 13,
        "demote_rate": 0.25,
        "body": _md(
            """
            The new keyboards move the Insert, Delete, Home and End keys into a two-by-three
            block in a different order, and half-size the arrow keys. Programmers and anyone
            who edits a lot of text hate it.

            The standard layout has been the standard for twenty years for a reason.
            """
        ),
    },
    {
        "title": "No more plastic wrap: use less packaging",
        "category": "support",
        "status": "new",
        "tags": ["recycling", "green"],
        "days_ago": 140,
        "popularity": 45,
        "hot": True,
        "body": _md(
            """
            My last order came in a box inside a box, with every cable in its own plastic bag
            and foam around everything. The packaging filled my recycling bin twice.

            - recycled cardboard inserts instead of foam
            - one bag for all the cables, or none
            - the option to ship several machines in one box for offices

            Less packaging costs less to ship too.
            """
        ),
    },
    {
        "title": "When you decline an idea, explain why",
        "category": "support",
        "status": "implemented",
        "tags": ["ideastorm", "transparency"],
        "response": _md(
            """
            Agreed, and done: a product manager can no longer decline an idea here without
            writing the reason, and every status change now shows in the idea's history with
            the response that came with it. If you find an older idea that was declined without
            a word, flag it and we will write one.
            """
        ),
        "days_ago": 104,
        "popularity": 54,
        "hot": True,
        "body": _md(
            """
            Several ideas here have quietly changed to "declined" with no word from anyone.
            People put time into writing them up and promoting them.

            If something can't be done because of cost, a partner contract or a technical
            reason, just say so. We can take a no. What hurts is the silence.
            """
        ),
    },
    {
        "title": "Support staff who know Linux",
        "category": "support",
        "status": "new",
        "tags": ["linux", "support"],
        "days_ago": 88,
        "popularity": 30,
        "body": _md(
            """
            I called about a dead hard drive in my Ubuntu notebook and was told to reinstall
            Windows before they could help. The machine was sold with Ubuntu!

            If you sell Linux machines, train a team to support them, and let them run the
            hardware diagnostics without Windows.
            """
        ),
    },
    {
        "title": "Publish service manuals for every model online",
        "category": "support",
        "status": "implemented",
        "tags": ["repairs", "support"],
        "response": _md(
            """
            Service manuals for every current desktop and notebook, the home lines included, are
            now on each model's support page as plain PDFs, with disassembly steps and part
            numbers. We are adding manuals for older models back to 2004 as we go.
            """
        ),
        "days_ago": 228,
        "popularity": 26,
        "body": _md(
            """
            Service manuals with disassembly steps and part numbers let us replace a keyboard,
            fan or drive ourselves instead of shipping the machine away for two weeks.

            Please put them online for every model, including the home lines, as plain PDFs.
            """
        ),
    },
    {
        "title": "Ship customer-replaceable parts so we can fix simple things ourselves",
        "category": "support",
        "status": "under-review",
        "tags": ["repairs", "support"],
        "response": _md(
            """
            We are piloting parts-only dispatch for keyboards, batteries, memory, hard drives and
            power adapters with a group of warranty customers this quarter. If it goes well, you
            will be able to choose between a technician and the part in the post.
            """
        ),
        "days_ago": 71,
        "popularity": 18,
        "body": _md(
            """
            When my notebook's keyboard failed, the only option was to send the whole machine
            in. A keyboard takes five minutes to swap with a service manual.

            For parts like keyboards, batteries, drives, memory and power adapters, send the
            part and let me choose whether I want a technician.
            """
        ),
    },
    {
        "title": "Don't make me reinstall the operating system before support will help",
        "category": "support",
        "status": "new",
        "tags": ["support"],
        "days_ago": 36,
        "popularity": 21,
        "body": _md(
            """
            Every support call seems to end with "please restore the system to factory
            settings and call us back". That wipes a day of work and rarely fixes hardware
            problems.

            Run proper hardware diagnostics first, and only ask for a reinstall when there is
            a reason to think the software is at fault.
            """
        ),
    },
    {
        "title": "Give honest ship dates when we order",
        "category": "support",
        "status": "new",
        "tags": ["ordering", "transparency"],
        "days_ago": 12,
        "popularity": 12,
        "hot": True,
        "body": _md(
            """
            My order said "ships in 5 days". It moved to 12, then 19, with an email each time.
            Had I known, I would have picked a different configuration.

            Show a realistic date at checkout, and tell us which option is causing the delay so
            we can swap it.
            """
        ),
    },
    {
        "title": "Certify servers for Ubuntu Server and Debian, not only the enterprise distros",
        "category": "servers-and-storage",
        "status": "in-progress",
        "tags": ["servers", "linux", "support"],
        "response": _md(
            """
            Certification for Ubuntu LTS is under way on our two best-selling rack servers, and
            the supported driver and firmware versions will be published with it. Debian stable
            is next; once a model is certified, server support takes calls about it like any
            other.
            """
        ),
        "days_ago": 192,
        "popularity": 34,
        "body": _md(
            """
            Lots of web companies run Ubuntu Server or Debian. Today we can't call support with
            a problem unless we run one of the two certified enterprise distributions.

            Certify the main rack servers for Ubuntu LTS and Debian stable, publish the
            supported driver and firmware versions, and take calls about them.
            """
        ),
    },
    {
        "title": "Include remote management on every server, not as a paid add-on",
        "category": "servers-and-storage",
        "status": "new",
        "tags": ["servers", "pricing"],
        "days_ago": 146,
        "popularity": 25,
        "body": _md(
            """
            A server without a remote console means a drive to the data centre every time it
            hangs at boot. The remote access card costs extra and is easy to forget when
            ordering.

            Build basic IPMI over the LAN into every server board. Keep the fancy virtual
            media card as the upgrade if you must.
            """
        ),
    },
    {
        "title": "Let us buy servers without drives and use our own",
        "category": "servers-and-storage",
        "status": "declined",
        "tags": ["servers", "storage", "pricing"],
        "response": _md(
            """
            We are declining this. Drives we haven't qualified with our RAID firmware are the
            most common cause of the array failures our support team sees, and the warranty can
            only cover the whole system when we ship the drives. Instead we have cut the prices
            of the larger drives in the configurator, and empty drive trays go on sale as spare
            parts this month.
            """
        ),
        "days_ago": 178,
        "popularity": 20,
        "demote_rate": 0.32,
        "body": _md(
            """
            The drives in the configurator cost twice what the same model costs elsewhere, and
            the drive trays aren't sold separately. So we buy the smallest drives and throw
            them away.

            Sell servers with empty trays, or sell the trays on their own.
            """
        ),
    },
    {
        "title": "A small, quiet storage server for home and small offices",
        "category": "servers-and-storage",
        "status": "new",
        "tags": ["storage", "noise"],
        "days_ago": 52,
        "popularity": 19,
        "body": _md(
            """
            Four drive bays, a low-power processor, two network ports and a fan you can't hear
            across the room. Run Linux on it with a simple web page for shares and backups.

            Small offices and families with lots of photos need a place to keep them that
            isn't a single USB drive.
            """
        ),
    },
    {
        "title": "Firmware updates for RAID controllers as bootable images",
        "category": "servers-and-storage",
        "status": "new",
        "tags": ["servers", "firmware"],
        "days_ago": 26,
        "popularity": 16,
        "body": _md(
            """
            Updating the RAID controller firmware needs either Windows or a specific old
            enterprise distribution. Our servers run neither.

            A bootable ISO that updates all firmware on the box (BIOS, RAID, network, remote
            management) in one go would save hours per server.
            """
        ),
    },
]

# Who wrote which hand-written idea, so the cast has a history on the board.
IDEA_AUTHORS = {
    "Offer matte screens again": "alice",
    "Tell us which Wi-Fi chipset is inside before we buy": "alice",
    "Make home desktops quieter": "bob",
}

# Discussions on the most popular hand-written ideas, oldest first. "by" is a demo login, "op"
# (the idea's author) or "customer" (a customer who had joined by then). A comment has at
# most one reply; "after_response" places it after the idea's last status change.
DISCUSSIONS = {
    "Pre-install Linux (Ubuntu, Fedora or openSUSE) as a factory option": [
        {
            "by": "customer",
            "body": "Dual boot would be the killer feature. My wife needs Windows for her tax "
            "software, I want Ubuntu for everything else, and resizing partitions on a "
            "brand-new machine is exactly the kind of thing that goes wrong.",
            "reply": {
                "by": "bob",
                "body": "The Ubuntu installer can shrink the Windows partition for you today. "
                "Make the recovery discs first, though.",
            },
        },
        {
            "by": "bob",
            "body": "Promoted, but please don't ship it and forget it. The first time a kernel "
            "update breaks suspend, who do I call?",
        },
        {
            "by": "customer",
            "body": "Ordered the notebook with Ubuntu 7.04 the week it went up. Wi-Fi, sound and "
            "suspend all worked out of the box, which has never happened to me before. Well "
            "done.",
            "after_response": True,
            "reply": {
                "by": "customer",
                "body": "Same here with the desktop. The price difference was smaller than a "
                "Windows licence costs in the shops, though; I'd like to know why.",
            },
        },
        {
            "by": "alice",
            "body": "Great start. Now the rest of the range, please: someone has already posted "
            "that as its own idea, *Put Ubuntu in the build-your-PC menu for every model*.",
            "after_response": True,
        },
    ],
    "Offer a clean install option: the operating system and drivers, nothing else": [
        {
            "by": "customer",
            "body": "I'd pay for this, but I shouldn't have to. The trialware is there because "
            "partners pay for the spot. Fine, but then tell us how much a clean machine "
            "really costs you.",
        },
        {
            "by": "alice",
            "body": "Please put the drivers **on a disc** as well. Many of us do a fresh install "
            "on day one anyway.",
            "reply": {
                "by": "customer",
                "body": "Agreed: a plain folder per device, not an installer that only runs on "
                "the factory image.",
            },
        },
        {
            "by": "customer",
            "body": "Honestly, the DVD player and the recovery tools are useful to people like my "
            "parents. Make this a choice, not the default, or the support lines will fill up "
            'with "how do I play a DVD".',
        },
        {
            "by": "bob",
            "body": "Partner software offered but unticked is exactly right. Thanks for listening.",
            "after_response": True,
        },
    ],
    "Put Ubuntu in the build-your-PC menu for every model, not just three": [
        {
            "by": "customer",
            "body": "The Ubuntu page isn't linked from the home page or from any notebook page. "
            "I only found it through a forum post.",
        },
        {
            "by": "bob",
            "body": "None of the three is a small notebook. A 12-inch with Ubuntu would sell "
            "itself to students.",
            "reply": {
                "by": "customer",
                "body": "And none of them offers the better screen. The same hardware choices "
                "as the Windows version, please.",
            },
        },
        {
            "by": "customer",
            "body": "Every model means testing every model with every part, and that's how you "
            "get half-working Linux support. I'd rather have five models that work perfectly.",
        },
    ],
    "Publish Linux drivers for every component you ship": [
        {
            "by": "customer",
            "body": "The webcam on my notebook is a standard UVC camera and works fine; the card "
            "reader doesn't work at all. A table per component would have told me before I "
            "bought it.",
        },
        {
            "by": "alice",
            "body": _md(
                """
                What I'd want in that table, for each part:

                - the exact chip, vendor and model
                - whether its driver is in the mainline kernel, and since which version
                - any firmware file it needs, and under what licence
                - what doesn't work yet (suspend, hotkeys, ...)
                """
            ),
            "reply": {
                "by": "customer",
                "body": "Add the distribution releases you actually tested and it's perfect.",
            },
        },
        {
            "by": "customer",
            "body": "Binary drivers are better than nothing. My graphics card only works properly "
            "with the vendor's driver, and I'm not waiting years for an open one.",
        },
        {
            "by": "customer",
            "body": "Good news about the Wi-Fi driver. Please post here when it's merged, so we "
            "know which kernel version to look for.",
            "after_response": True,
        },
    ],
    "Use one standard power connector on all notebooks": [
        {
            "by": "customer",
            "body": "Three generations of notebooks in our office and a drawer full of adapters "
            "nobody can match to a machine. Even a colour code on the plug would help.",
        },
        {
            "by": "bob",
            "body": "Apple can do it with five models. A thin notebook and a 17-inch gaming one "
            "need very different wattages.",
            "reply": {
                "by": "op",
                "body": "Then keep one plug and let the bigger adapters power the small "
                "machines too. Plenty of universal adapters do exactly that.",
            },
        },
        {
            "by": "customer",
            "body": "Please publish how the adapter identifies itself to the notebook as well. "
            "Third-party car adapters get refused and the battery charges at a crawl.",
        },
    ],
    "Ship OpenOffice.org instead of the Works suite": [
        {
            "by": "customer",
            "body": "My daughter's school sends Word documents and OpenOffice.org opens all of "
            "them. It saves PDFs too, which Works can't.",
        },
        {
            "by": "customer",
            "body": "I tried OpenOffice.org at work for a month and went back. It's fine for "
            "letters, but the spreadsheet is slow with big files. Offer it, sure, but keep the "
            "Office trial as a choice.",
            "reply": {
                "by": "alice",
                "body": "Nobody is asking you to drop the Office trial, only Works.",
            },
        },
        {
            "by": "bob",
            "body": '"Next year\'s models" feels slow for a free download. Could you put the '
            "installer on the recovery disc now?",
            "after_response": True,
        },
    ],
    "Stop pre-loading trialware that expires after 60 days": [
        {
            "by": "customer",
            "body": "My father's new desktop showed eleven pop-ups on its first boot. I spent the "
            "evening removing things, and he asked me whether he'd bought a bad computer.",
        },
        {
            "by": "alice",
            "body": "This overlaps with *Offer a clean install option*, which is already planned. "
            "Votes might count for more there.",
            "reply": {
                "by": "op",
                "body": "Not quite: that one is an opt-out box at order time; this one is about "
                "the expiring trials everyone else still gets by default.",
            },
        },
        {
            "by": "customer",
            "body": "If the partners pay enough to lower the price, tell us by how much. I'd "
            "probably pay it to be rid of them.",
        },
    ],
    "BIOS updates that don't need Windows": [
        {
            "by": "customer",
            "body": "I had to borrow a Windows disc from a friend to flash a BIOS update that "
            "fixed a fan bug. On a machine I run Debian on.",
        },
        {
            "by": "bob",
            "body": _md(
                """
                What works today, if you're stuck (unsupported, and a bit scary):

                1. make a [FreeDOS](http://www.freedos.org/) boot disk
                2. copy the update's `.exe` onto it
                3. run it from the FreeDOS prompt

                A proper bootable image would be much better.
                """
            ),
            "reply": {
                "by": "customer",
                "body": "Careful with that on notebooks: always flash on mains power with the "
                "battery in. A friend's machine never woke up again.",
            },
        },
        {
            "by": "customer",
            "body": "A FreeDOS image is great news. Please publish a checksum next to each "
            "download too.",
            "after_response": True,
        },
    ],
    "When you decline an idea, explain why": [
        {
            "by": "customer",
            "body": "The Firefox idea went to declined and it took a week to get a reason. I can "
            "take a no; the silence is what makes it feel like nobody reads this.",
        },
        {
            "by": "mo",
            "body": "Moderator here: if you find a declined idea with no reason, flag it and "
            "we'll chase the product team for one.",
        },
        {
            "by": "pat",
            "body": "Thanks for pushing on this. The rule is in the software now: no reason, no "
            "decline.",
            "after_response": True,
            "reply": {"by": "op", "body": "That's the right fix. Thank you."},
        },
        {
            "by": "customer",
            "body": 'Good, but "not this year" is still a non-answer. A reason should say what '
            "would have to change for a yes.",
            "after_response": True,
        },
    ],
    "Design a notebook for Linux from the ground up": [
        {
            "by": "customer",
            "body": "Intel graphics is the right call. Slower than the others, but it just works, "
            "and on a Linux machine that matters more.",
        },
        {
            "by": "bob",
            "body": "Please leave the penguin off. Some of us have to sell this machine to an IT "
            "department.",
            "reply": {"by": "alice", "body": "A penguin would make me buy two, though."},
        },
        {
            "by": "customer",
            "body": "Thirteen inches is perfect. Please don't make the screen glossy.",
            "after_response": True,
        },
    ],
    "Tell us which Wi-Fi chipset is inside before we buy": [
        {
            "by": "customer",
            "body": "This would save so much time. I returned a notebook last year because its "
            "wireless card only worked through ndiswrapper and a Windows driver.",
        },
        {
            "by": "bob",
            "body": "The sound chip too: two notebooks with the same model name had different "
            "codecs depending on the month they were built.",
            "reply": {
                "by": "op",
                "body": 'Exactly why I posted this. Even "ships with one of these two" beats '
                "nothing.",
            },
        },
        {
            "by": "customer",
            "body": "Plenty of shops list the chipset for desktop motherboards. One line in the "
            "configurator isn't much to ask.",
        },
    ],
    "Backlit keyboards on all notebooks": [
        {
            "by": "customer",
            "body": "Please make it easy to switch off. On a night flight a bright keyboard "
            "bothers the neighbours as much as a reading light.",
        },
        {
            "by": "customer",
            "body": "Ordered it on a budget model: worth every penny. Fn and the right arrow is an "
            "odd choice, but you get used to it.",
            "after_response": True,
            "reply": {
                "by": "bob",
                "body": "It works under Linux too, since the firmware handles the key. Nice touch.",
            },
        },
    ],
    "Cheaper RAM upgrades for notebooks": [
        {
            "by": "customer",
            "body": "Just checked: the step from 1 GB to 2 GB costs three times the same module "
            "in a shop. That's not a service charge, it's a markup.",
        },
        {
            "by": "bob",
            "body": "To be fair, the configurator price includes the warranty on the part and the "
            "testing. Still too much, but not quite the same thing as a shop module.",
            "reply": {
                "by": "customer",
                "body": "The testing argument would convince me more if the price fell when "
                "memory prices did.",
            },
        },
        {
            "by": "alice",
            "body": "At least put a leaflet in the box showing how to open the memory door. Most "
            "people don't know it's two screws.",
        },
    ],
    "No more plastic wrap: use less packaging": [
        {
            "by": "customer",
            "body": "Four desktops came as four boxes, each with a keyboard box and a mouse box "
            "inside. Twelve boxes for four computers.",
        },
        {
            "by": "customer",
            "body": "Moulded pulp instead of foam, please: it's what egg boxes are made of, and it "
            "protects just as well.",
        },
        {
            "by": "mo",
            "body": "Moderator note: two similar ideas about foam inserts are marked as "
            "duplicates of this one, so please vote here.",
        },
    ],
    "Stop forcing a paid antivirus subscription into every build": [
        {
            "by": "customer",
            "body": "The uninstaller is a separate download you have to hunt for on the vendor's "
            "site. That tells you how optional it really is.",
        },
        {
            "by": "customer",
            "body": "Most people whose computers I fix have no antivirus at all. A pre-installed "
            "paid one is better than nothing for them.",
            "reply": {
                "by": "alice",
                "body": "Then offer a free one in the same spot, as the idea says. Nobody is "
                "asking for no protection.",
            },
        },
        {
            "by": "bob",
            "body": "A line item with a credit would be perfect. Two months: we'll hold you to it.",
            "after_response": True,
        },
    ],
    "Make Firefox the default browser on new machines": [
        {
            "by": "customer",
            "body": "I wouldn't want any browser forced on people. Ask on first boot instead: "
            "a screen with the choices and a line about each.",
        },
        {
            "by": "customer",
            "body": "Declining is fair. Anyone who wants Firefox can install it in two minutes, "
            "and the phone support scripts have to match what's on the machine.",
            "after_response": True,
        },
        {
            "by": "alice",
            "body": "Thank you for saying why. I disagree, but at least I know where this stands.",
            "after_response": True,
            "reply": {
                "by": "pat",
                "body": "Thanks, Alice. The first-boot choice screen suggested above is worth "
                "an idea of its own; post it and we'll review it.",
            },
        },
    ],
}

# Pools for generated ideas: per category, title templates with {slots}, and sentences.
SLOTS = {
    "verb": ["Offer", "Add", "Bring back", "Let us choose", "Make available", "Include"],
    "nb_feature": [
        "a matte screen",
        "a backlit keyboard",
        "a 9-cell battery",
        "a pointing stick",
        "an ExpressCard slot",
        "a higher-resolution screen",
        "a second drive bay",
        "an Intel Wi-Fi card",
        "a hardware wireless switch",
        "a docking connector",
        "an eSATA port",
        "a fingerprint reader",
        "a solid-state drive",
        "a built-in 3G modem",
    ],
    "nb_product": [
        "the 13-inch notebooks",
        "the 15-inch notebooks",
        "the 17-inch notebooks",
        "the budget notebooks",
        "the business notebooks",
        "the mini notebooks",
        "the gaming notebooks",
        "the mobile workstations",
    ],
    "nb_quality": [
        "lighter",
        "run cooler",
        "easier to open",
        "last longer on battery",
        "less glossy",
        "sturdier at the hinges",
    ],
    "dt_feature": [
        "a quieter power supply",
        "more PCI Express slots",
        "front USB ports",
        "a tool-less case",
        "an eSATA port",
        "a DisplayPort output",
        "ECC memory",
        "a second optical bay",
        "a standard ATX power supply",
        "a front-panel card reader",
        "Blu-ray drives",
    ],
    "dt_product": [
        "the small-form-factor desktops",
        "the mini towers",
        "the all-in-one desktops",
        "the gaming towers",
        "the home desktops",
        "the workstations",
    ],
    "dt_quality": ["quieter", "smaller", "easier to upgrade", "use less power", "cooler"],
    "os": ["Ubuntu", "Fedora", "openSUSE", "Debian", "FreeDOS"],
    "any_product": [
        "the home desktops",
        "the budget notebooks",
        "the business notebooks",
        "the mini notebooks",
        "the workstations",
        "the all-in-one desktops",
    ],
    "bloat": [
        "trial antivirus",
        "the search toolbar",
        "the photo suite trial",
        "the ISP sign-up icons",
        "the 60-day office trial",
        "the DVD software upsell",
        "the online backup trial",
    ],
    "srv_feature": [
        "redundant power supplies",
        "hot-swap drive bays",
        "a serial console",
        "IPMI over LAN",
        "10-gigabit networking",
        "a Linux RAID management tool",
        "network firmware updates",
        "a quieter fan profile",
    ],
    "srv_product": [
        "the 1U rack servers",
        "the 2U rack servers",
        "the tower servers",
        "the storage arrays",
        "the blade chassis",
        "the small-business servers",
    ],
    "support_action": ["Improve", "Extend", "Simplify", "Speed up", "Fix"],
    "support_thing": [
        "phone support hours",
        "chat support",
        "the warranty lookup page",
        "the driver download page",
        "the parts return process",
        "on-site repair visits",
        "order tracking",
        "the recycling program",
    ],
    "acc_quality": ["cheaper", "smaller", "lighter", "universal", "quieter", "sturdier"],
    "acc_item": [
        "power adapter",
        "docking station",
        "spare battery",
        "carrying case",
        "USB keyboard",
        "wireless mouse",
        "monitor stand",
        "privacy filter",
        "car charger",
        "port replicator",
    ],
}

TEMPLATES = {
    "notebooks": [
        "{verb} {nb_feature} on {nb_product}",
        "Make {nb_product} {nb_quality}",
    ],
    "desktops": [
        "{verb} {dt_feature} on {dt_product}",
        "Make {dt_product} {dt_quality}",
    ],
    "software": [
        "Let us order {any_product} without {bloat}",
        "Pre-install {os} on {any_product}",
        "Publish {os} drivers for {any_product}",
    ],
    "servers-and-storage": [
        "{verb} {srv_feature} on {srv_product}",
        "Certify {srv_product} for {os}",
    ],
    "support": ["{support_action} {support_thing}"],
    "accessories": [
        "Sell a {acc_quality} {acc_item}",
        "Offer a {acc_quality} {acc_item} for {nb_product}",
    ],
}

REASONS = {
    "notebooks": [
        "I carry my notebook every day and this is the thing I miss most.",
        "Every competitor I looked at offers this, and it nearly made me switch.",
        "Our sales team travels a lot and asks me for this every time we refresh.",
        "It was there on my previous model and I was surprised to see it gone.",
    ],
    "desktops": [
        "My desktop sits under my desk for five years, so I care about living with it.",
        "Our office buys these by the dozen and this would save us time on every one.",
        "It would make upgrades possible without buying a whole new machine.",
        "The old models had it and nobody asked for it to be removed.",
    ],
    "software": [
        "The first hour with every new machine goes into cleaning it up.",
        "It would save a download and a reboot on every machine we set up.",
        "Customers who run Linux are a small group, but a loud and loyal one.",
        "Less software at first boot means a faster machine and fewer support calls.",
    ],
    "servers-and-storage": [
        "We run a few hundred of these and every manual step adds up.",
        "Data centre time is expensive, and this would save trips.",
        "The competition includes this as standard on comparable models.",
        "Our admins script everything, and this is the one piece we can't script.",
    ],
    "support": [
        "My last experience took far longer than it should have.",
        "Small businesses can't wait a week when a machine is down.",
        "It would take pressure off the phone lines too.",
        "Clear information up front would avoid most of my calls.",
    ],
    "accessories": [
        "The one in the box is fine, but a second one for the office or travel is a must.",
        "Third-party versions are hit and miss, so I'd rather buy yours.",
        "The current price makes it hard to justify.",
        "It should just work with every model, old and new.",
    ],
}

CLOSERS = [
    "Please consider it for the next refresh.",
    "I'd pay a little more for it.",
    "Promote this if you agree!",
    "Several people in my office feel the same way.",
    "Thanks for listening.",
    "Would love to hear what the product team thinks.",
]

# The Storm Session running on the demo board: its window and the hand-written ideas filed in it.
STORM_SESSION = {
    "title": "The buying experience",
    "slug": "the-buying-experience",
    "description": (
        "Ordering, shipping, knowing what is inside the box: for the next few weeks, tell us "
        "what would make buying from us easier. The product team reads every idea filed here "
        "and answers the top ten when the session closes."
    ),
    "started_days_ago": 30,
    "ends_in_days": 14,
    "categories": ["notebooks", "support"],
    "ideas": [
        "Tell us which Wi-Fi chipset is inside before we buy",
        "Give honest ship dates when we order",
    ],
}
