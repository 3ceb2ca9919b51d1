/**
 * The sandbox's provider catalogue, one line each: `RESOURCE|Display name|category|device name|flags`.
 * Flags: `sdk` = connected through the mobile SDK, never OAuth; `off` = listed but not enabled for the
 * dev-id (discontinued products here), so authenticateUser answers 404 and widget sessions warn.
 * Resource names of the well-known providers are Terra's; the long tail is plausible, not authoritative.
 */
export const PROVIDER_TABLE = `
GARMIN|Garmin|watch|Forerunner 265|
FITBIT|Fitbit|wearable|Charge 6|
OURA|Oura|ring|Oura Ring Gen3|
WHOOP|WHOOP|strap|WHOOP 4.0|
POLAR|Polar|watch|Vantage V3|
SUUNTO|Suunto|watch|Suunto Race|
COROS|COROS|watch|PACE 3|
WAHOO|Wahoo|training|ELEMNT BOLT|
WITHINGS|Withings|scale|Body Smart|
GOOGLE|Google Fit|platform|Pixel Watch 2|
DEXCOM|Dexcom|cgm|Dexcom G7|
FREESTYLELIBRE|FreeStyle Libre|cgm|FreeStyle Libre 3|
STRAVA|Strava|training|Strava app|
MYFITNESSPAL|MyFitnessPal|nutrition|MyFitnessPal app|
CRONOMETER|Cronometer|nutrition|Cronometer app|
OMRON|Omron|bp|Evolv BP7000|
APPLE|Apple Health|platform|Apple Watch Series 9|sdk
SAMSUNG|Samsung Health|platform|Galaxy Watch6|sdk
HEALTH_CONNECT|Health Connect|platform|Android phone|sdk
EIGHT|Eight Sleep|sleep|Pod 4|
PELOTON|Peloton|gym|Peloton Bike+|
ZWIFT|Zwift|training|Zwift app|
CONCEPT2|Concept2|gym|RowErg|
TRAININGPEAKS|TrainingPeaks|training|TrainingPeaks app|
UNDERARMOUR|Under Armour|training|MapMyRun app|
HAMMERHEAD|Hammerhead|training|Karoo 3|
KOMOOT|komoot|training|komoot app|
NUTRACHECK|Nutracheck|nutrition|Nutracheck app|
RENPHO|Renpho|scale|Renpho Elis 1|
ULTRAHUMAN|Ultrahuman|ring|Ultrahuman Ring AIR|
AMAZFIT|Amazfit|watch|Amazfit Balance|
HUAWEI|Huawei Health|watch|HUAWEI WATCH GT 4|
XIAOMI|Mi Fitness|wearable|Smart Band 8|
WYZE|Wyze|wearable|Wyze Watch 47|
EATTHISMUCH|Eat This Much|nutrition|Eat This Much app|
FATSECRET|FatSecret|nutrition|FatSecret app|
LOSEIT|Lose It!|nutrition|Lose It! app|
NOOM|Noom|nutrition|Noom app|
IHEALTH|iHealth|bp|iHealth Track|
QARDIO|Qardio|bp|QardioArm|
BIOSTRAP|Biostrap|wearable|Biostrap EVO|
HRV4TRAINING|HRV4Training|sleep|HRV4Training app|
ELITEHRV|Elite HRV|sleep|Elite HRV app|
INTERVALSICU|intervals.icu|training|intervals.icu|
RIDEWITHGPS|Ride with GPS|training|Ride with GPS app|
MAPMYFITNESS|MapMyFitness|training|MapMyFitness app|
RUNKEEPER|Runkeeper|training|Runkeeper app|
NIKE|Nike Run Club|training|Nike Run Club app|
ADIDAS|adidas Running|training|adidas Running app|
DECATHLON|Decathlon Coach|training|Decathlon Coach app|
KINOMAP|Kinomap|gym|Kinomap app|
ROUVY|ROUVY|training|ROUVY app|
TACX|Tacx|gym|Tacx NEO 2T|
TRAINERROAD|TrainerRoad|training|TrainerRoad app|
KETOMOJO|Keto-Mojo|glucose|GK+ meter|
LINGO|Abbott Lingo|cgm|Lingo biosensor|
LEVELS|Levels|cgm|Levels app|
NUTRISENSE|Nutrisense|cgm|Nutrisense app|
EMFIT|Emfit QS|sleep|Emfit QS+Active|
SLEEPNUMBER|Sleep Number|sleep|Sleep Number 360|
BEURER|Beurer|bp|Beurer BM 54|
AANDD|A&D Medical|bp|UA-651BLE|
MICROLIFE|Microlife|bp|Microlife BP B6|
ACCUCHEK|Accu-Chek|glucose|Accu-Chek Guide|
CONTOUR|Contour|glucose|Contour Next One|
ONETOUCH|OneTouch|glucose|OneTouch Verio Reflect|
MEDTRONIC|Medtronic|cgm|Guardian 4|
TANDEM|Tandem Diabetes|cgm|t:slim X2|
OMNIPOD|Omnipod|cgm|Omnipod 5|
EVERSENSE|Eversense|cgm|Eversense 365|
KARDIA|KardiaMobile|bp|KardiaMobile 6L|
HEXOSKIN|Hexoskin|wearable|Hexoskin Smart Shirt|
MOOV|Moov|wearable|Moov Now|off
MISFIT|Misfit|wearable|Misfit Shine 2|off
JAWBONE|Jawbone UP|wearable|UP3|off
AMAZONHALO|Amazon Halo|wearable|Halo Band|off
PEBBLE|Pebble|watch|Pebble Time|off
BELLABEAT|Bellabeat|ring|Leaf Urban|
NATURALCYCLES|Natural Cycles|cycle|NC Band|
CLUE|Clue|cycle|Clue app|
FLO|Flo|cycle|Flo app|
OVIA|Ovia|cycle|Ovia app|
TEMPDROP|Tempdrop|cycle|Tempdrop sensor|
AVA|Ava|cycle|Ava bracelet|
KINDARA|Kindara|cycle|Kindara app|
INBODY|InBody|scale|InBody H20N|
TANITA|Tanita|scale|Tanita RD-953|
EUFY|eufy|scale|Smart Scale P2 Pro|
FINALSURGE|Final Surge|training|Final Surge app|
SPORTTRACKS|SportTracks|training|SportTracks app|
CYCLINGANALYTICS|Cycling Analytics|training|Cycling Analytics|
TODAYSPLAN|Today's Plan|training|Today's Plan app|
XERT|Xert|training|Xert app|
VOLT|Volt Athletics|gym|Volt app|
TRAINHEROIC|TrainHeroic|gym|TrainHeroic app|
TEAMBUILDR|TeamBuildr|gym|TeamBuildr app|
HEVY|Hevy|gym|Hevy app|
STRONG|Strong|gym|Strong app|
FITBOD|Fitbod|gym|Fitbod app|
JEFIT|JEFIT|gym|JEFIT app|
TONAL|Tonal|gym|Tonal 2|
LULULEMONSTUDIO|lululemon Studio|gym|Studio Mirror|
HYDROW|Hydrow|gym|Hydrow Wave|
ECHELON|Echelon|gym|Echelon EX-5|
IFIT|iFIT|gym|NordicTrack Commercial 1750|
JRNY|JRNY|gym|Bowflex VeloCore|
TECHNOGYM|Technogym|gym|Technogym Run|
LIFEFITNESS|Life Fitness|gym|Integrity Treadmill|
MYZONE|MYZONE|strap|MZ-Switch|
ORANGETHEORY|Orangetheory|strap|OTbeat Burn|
FORM|FORM Swim|training|FORM Smart Swim 2|
MYSWIMPRO|MySwimPro|training|MySwimPro app|
STRYD|Stryd|training|Stryd footpod|
RUNALYZE|Runalyze|training|Runalyze|
SMASHRUN|Smashrun|training|Smashrun|
MACROFACTOR|MacroFactor|nutrition|MacroFactor app|
YAZIO|YAZIO|nutrition|YAZIO app|
LIFESUM|Lifesum|nutrition|Lifesum app|
CARBMANAGER|Carb Manager|nutrition|Carb Manager app|
MYNETDIARY|MyNetDiary|nutrition|MyNetDiary app|
ZOE|ZOE|nutrition|ZOE app|
SNAQ|SNAQ|nutrition|SNAQ app|
MYSUGR|mySugr|glucose|mySugr app|
GLOOKO|Glooko|glucose|Glooko app|
TIDEPOOL|Tidepool|cgm|Tidepool app|
HEADSPACE|Headspace|sleep|Headspace app|
CALM|Calm|sleep|Calm app|
MUSE|Muse|sleep|Muse S headband|
SLEEPCYCLE|Sleep Cycle|sleep|Sleep Cycle app|
PILLOW|Pillow|sleep|Pillow app|
AUTOSLEEP|AutoSleep|sleep|AutoSleep app|
RISE|Rise Science|sleep|Rise app|
COOSPO|COOSPO|strap|COOSPO H808S|
MAGENE|Magene|training|Magene C606|
IGPSPORT|iGPSPORT|training|iGS630|
BRYTON|Bryton|training|Rider 750SE|
SIGMA|SIGMA Sport|training|ROX 12.1 EVO|
LEZYNE|Lezyne|training|Mega XL GPS|
XOSS|XOSS|training|XOSS NAV|
MOBVOI|Mobvoi|watch|TicWatch Pro 5|
FOSSIL|Fossil|watch|Fossil Gen 6|off
OPPO|OPPO Health|watch|OPPO Watch X|
CIRCULAR|Circular|ring|Circular Ring Slim|
RINGCONN|RingConn|ring|RingConn Gen 2|
EVIE|Evie|ring|Evie Ring|
OXIWEAR|OxiWear|wearable|OxiWear ear sensor|
CORESENSOR|CORE|wearable|CORE 2 body temperature sensor|
ZEPP|Zepp|watch|Zepp Z|
GARMINCONNECTIQ|Connect IQ|watch|Connect IQ app|
VIVOFIT|Vivofit jr.|wearable|vivofit jr. 3|off
PUL|Pul|strap|Pul band|
VERVE|Verve|glucose|Verve meter|
HELO|Helo|wearable|Helo Hexa|
ABBOTTLIBRELINK|LibreLinkUp|cgm|LibreLinkUp app|
SENSEONICS|Senseonics|cgm|Eversense E3|
CARDIOMOOD|CardioMood|strap|CardioMood band|
WELLTORY|Welltory|sleep|Welltory app|
ATHLYTIC|Athlytic|sleep|Athlytic app|
BEVEL|Bevel|sleep|Bevel app|
GENTLER|Gentler Streak|training|Gentler Streak app|
OPENAPE|OpenAPE|training|OpenAPE app|
SHAPA|Shapa|scale|Shapa scale|
QUANTIFIED|Quantified Self|platform|Quantified app|
`;
