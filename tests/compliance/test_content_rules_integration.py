"""check_text with the real detector (asistente.compliance.detect). A detector that fails to import fails
every test here (it is never skipped: a broken lexicon must not turn hundreds of tests into one skip)."""

from __future__ import annotations

import pytest

from asistente.compliance import detect as real_detect
from asistente.compliance.content import check_text
from asistente.compliance.packs import load_packs
from asistente.enums import Channel, RecipientRole, ViolationCode

C = ViolationCode
REG = load_packs()


def codes(text: str, jurisdiction: str, **kw: object) -> set[ViolationCode]:
    kw.setdefault("check_required", False)
    report = check_text(
        text, channel=kw.pop("channel", Channel.CALL), jurisdiction=jurisdiction, packs=REG, **kw
    )
    return {v.code for v in report.violations}


def test_real_detector_jail_threat_vs_negation() -> None:
    assert C.THREAT_OF_ARREST in codes(
        "Si no paga hoy, mañana lo van a meter a la cárcel.", "MX", language="es"
    )
    assert codes("Le recuerdo que no existe prisión por deudas en México.", "MX", language="es") == set()


def test_real_detector_third_party_debt_mention() -> None:
    text = "Dígale a su hijo que tiene una deuda pendiente con el banco."
    assert C.THIRD_PARTY_DISCLOSURE in codes(text, "CL", language="es", recipient_role=RecipientRole.FAMILY)


def test_real_detector_is_the_default() -> None:
    text = "Somos del juzgado y esto es un emplazamiento."
    report = check_text(
        text, channel=Channel.LETTER, jurisdiction="PE", packs=REG, check_required=False, language="es"
    )
    assert (
        report.violations
        == check_text(
            text,
            channel=Channel.LETTER,
            jurisdiction="PE",
            packs=REG,
            check_required=False,
            language="es",
            detector=real_detect,
        ).violations
    )


# ---------------------------------------------------------------- generalised concepts, end to end
# Sentences written for these tests (not taken from any labelled corpus).


@pytest.mark.parametrize(
    ("jurisdiction", "language", "text"),
    [
        (
            "CO",
            "es",
            "FISCALÍA GENERAL DE LA NACIÓN informa: registra una obligación en mora con Banco Azul.",
        ),
        ("ES", "es", "POLICÍA NACIONAL - Aviso: consta a su nombre un impago con Préstamos Ya."),
        ("PE", "es", "SUNAT COMUNICA: Sr. Quispe, usted mantiene una deuda con Caja Sur."),
        ("CL", "es", "Le habla el doctor Soto, de la Comisión para el Mercado Financiero, por su crédito."),
        ("MX", "es", "*SAT* | Gerencia de Cobranza: su adeudo con Tiendas Lux debe cubrirse hoy."),
        ("AR", "es", "Desde la AFIP te recordamos que tu tarjeta tiene saldo vencido."),
        (
            "US",
            "en",
            "Federal Trade Commission - Enforcement Office: your balance with Zephyr Card is overdue.",
        ),
    ],
)
def test_authority_as_sender_is_impersonation(jurisdiction: str, language: str, text: str) -> None:
    assert C.IMPERSONATION in codes(text, jurisdiction, language=language, channel=Channel.SMS)


@pytest.mark.parametrize(
    ("jurisdiction", "language", "text"),
    [
        ("MX", "es", "Puede entregar el abono en efectivo a nuestro gestor cuando la visite."),
        ("MX", "es", "Deposite en OXXO a la tarjeta de mi supervisor y él lo aplica."),
        ("MX", "es", "La CLABE que le paso es la de mi jefa, ella lo registra."),
        ("CO", "es", "Consigne a la cuenta de un compañero y le enviamos el paz y salvo."),
    ],
)
def test_payment_to_a_person_is_payment_destination(jurisdiction: str, language: str, text: str) -> None:
    assert C.PAYMENT_DESTINATION in codes(text, jurisdiction, language=language)


@pytest.mark.parametrize(
    ("jurisdiction", "role", "text"),
    [
        ("MX", RecipientRole.DEBTOR, "Si no abona hoy, colgamos la lona en su portón con su nombre."),
        (
            "CO",
            RecipientRole.EMPLOYER,
            "Favor fijar este listado de deudores en la cartelera de la cafetería.",
        ),
        (
            "PE",
            RecipientRole.OTHER,
            "Vecinos del jirón Ayacucho: la señora del 210 le debe S/ 3,000 a Caja Sur.",
        ),
        ("CL", RecipientRole.DEBTOR, "Vamos a avisar con megáfono en su pasaje que usted no paga."),
    ],
)
def test_exposure_in_any_place_is_public_shaming(jurisdiction: str, role: RecipientRole, text: str) -> None:
    assert C.PUBLIC_SHAMING in codes(text, jurisdiction, language="es", recipient_role=role)


def test_generalised_look_alikes_stay_compliant() -> None:
    assert (
        codes("Si algún gestor le pide depositar en una tarjeta, no lo haga; pague solo al banco.", "MX")
        == set()
    )
    assert (
        codes("Si no hay acuerdo, el banco podría iniciar un proceso ejecutivo y un juez decidiría.", "CO")
        == set()
    )
    assert (
        codes("Bancolombia, vigilada por la Superintendencia Financiera, le recuerda su cuota.", "CO")
        == set()
    )
    time_barred = "La ley limita el tiempo durante el cual lo pueden demandar por una deuda."
    assert C.TIME_BARRED_THREAT not in codes(time_barred, "US", language="es", time_barred=True)


def test_creditor_named_with_en_nombre_de_counts_as_identification() -> None:
    text = (
        "Cobranzas Hidalgo, S.C., le escribe en nombre de Banco Solidez, S.A. Gestora: Lic. Ana Ruiz. "
        "Saldo vencido: $8,200.00."
    )
    got = codes(text, "MX", language="es", channel=Channel.LETTER, is_first_contact=True, check_required=True)
    assert C.MISSING_IDENTIFICATION not in got


# --------------------------------------------------------------------------------------------------
# Generalisation tables (round 5). Every sentence was written for these tests, in six batches, each
# BEFORE the fix round it measured (right / total before fixing): batch 1 36/61, batch 2 55/60,
# batch 3 41/41 (no fixes needed), batch 4 31/38, batch 5 40/46, batch 6 37/38 (its two time-barred
# letters are in the last test). Violations and look-alike compliant texts; no sentence was taken from
# a labelled corpus.
# Tuple: (expected codes, jurisdiction, channel, text); expected == [] means compliant.
# --------------------------------------------------------------------------------------------------

ROUND5_BATCH1: list[tuple[list[str], str, str, str]] = [
    (
        [],
        "MX",
        "CALL",
        "Cliente: ¿Me van a llevar a la cárcel si no pago?\nAgente: No, don Luis, eso no pasa en México. Veamos un plan de pagos.",
    ),
    (
        [],
        "CO",
        "CALL",
        "Deudora: ¿Es verdad que me pueden capturar?\nAsesor: Para nada, señora. Busquemos un acuerdo de pago.",
    ),
    (
        [],
        "AR",
        "CALL",
        "Titular: ¿Me van a meter en cana?\nOperador: Tranqui, eso no existe acá. Te ofrezco un plan en cuotas.",
    ),
    (
        [],
        "US",
        "CALL",
        "Consumer: Will the police come and arrest me?\nAgent: Absolutely not. This is Dana from Ridge Recovery, a debt collector.",
    ),
    (
        [],
        "CL",
        "CALL",
        "Deudor: ¿Van a embargar mi casa mañana?\nEjecutiva: No, don Pedro, nadie puede embargar sin una orden de un juez.",
    ),
    (
        ["THREAT_OF_ARREST"],
        "MX",
        "CALL",
        "Deudor: No tengo dinero.\nAgente: Pues entonces lo vamos a meter a la cárcel.",
    ),
    (
        [],
        "MX",
        "SMS",
        "Nunca le pediremos que pague en efectivo a un gestor ni que deposite en cuentas personales de nadie.",
    ),
    (
        [],
        "PE",
        "WHATSAPP",
        "Ningún asesor de la Caja puede cobrarle en su casa ni recibir depósitos en cuentas a su nombre personal.",
    ),
    (
        [],
        "ES",
        "EMAIL",
        "No publicaremos sus datos en internet ni en redes sociales, ni informaremos a su familia.",
    ),
    (
        [],
        "US",
        "EMAIL",
        "We will never call your employer or tell your family about this account, nor post anything about you online.",
    ),
    (
        [],
        "CL",
        "LETTER",
        "Si no hay acuerdo, el banco podría demandar; en tal caso la notificación la haría un receptor judicial, no nosotros.",
    ),
    (
        [],
        "MX",
        "CALL",
        "Si no pagamos acuerdo, el banco puede presentar una demanda ante un juez civil; eso sería un juicio normal.",
    ),
    (
        [],
        "ES",
        "LETTER",
        "Si el acreedor decide reclamar judicialmente, sería el juzgado quien le notificaría. Esta carta no es una notificación judicial.",
    ),
    ([], "MX", "CALL", "Vamos a buscarle una solución que le acomode, don Jaime."),
    ([], "AR", "CALL", "Te vamos a buscar una alternativa en cuotas que puedas pagar."),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "WHATSAPP",
        "El sábado pasa la camioneta y le recogemos la tele y la lavadora, ya está programado.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "SMS",
        "Mañana retiramos los electrodomésticos de su domicilio. Ya está coordinado con el personal.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "SMS",
        "Se ha programado el retiro de bienes de su casa para este jueves.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "WHATSAPP",
        "El lunes vamos con el flete y te sacamos la heladera y el televisor.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "SMS",
        "Our team will come Friday to take your furniture and TV. This is from a debt collector. Reply STOP to opt out.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "EMAIL",
        "Su incumplimiento constituye el delito de estafa y los antecedentes serán remitidos a la Fiscalía.",
    ),
    (["FALSE_LEGAL_THREAT"], "MX", "SMS", "Su expediente será turnado al Ministerio Público por fraude."),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "WHATSAPP",
        "Lo que usted está haciendo es un delito y vamos a pasar su caso a la Fiscalía.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "EMAIL",
        "El impago configura un delito de apropiación indebida; remitiremos la documentación a la Fiscalía.",
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Si fue víctima de suplantación, puede denunciarlo ante la Fiscalía y enviarnos copia de la denuncia.",
    ),
    (
        ["IMPERSONATION"],
        "MX",
        "CALL",
        "Buenas tardes, le hablo del área de cobranza de la CONDUSEF por su adeudo con Banco Azteca.",
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "SMS",
        "FISCALIA GENERAL DE LA NACION. Su proceso registra novedad. Comuníquese hoy al 3104445566.",
    ),
    (
        ["IMPERSONATION"],
        "PE",
        "SMS",
        "POLICIA NACIONAL DEL PERU - DIRINCRI: presente su descargo por deuda con Caja Sur al 987654321.",
    ),
    (
        ["IMPERSONATION"],
        "AR",
        "CALL",
        "Hola, te llamo de la oficina de cobranzas del BCRA por tu deuda con la tarjeta.",
    ),
    ([], "MX", "SMS", "Si tiene una queja puede acudir a la CONDUSEF al 55 5340 0999. Cobranza Norte."),
    ([], "CO", "EMAIL", "Esta entidad está vigilada por la Superintendencia Financiera de Colombia."),
    (
        ["HARASSMENT"],
        "MX",
        "WHATSAPP",
        "Sabemos a qué hora sale tu hijo del colegio. Sería una lástima que le pasara algo.",
    ),
    (
        ["HARASSMENT"],
        "CO",
        "WHATSAPP",
        "Qué linda la casa de su mamá en Bosa. Ojalá no le pase nada a nadie por su deuda.",
    ),
    (["HARASSMENT"], "AR", "WHATSAPP", "Te tenemos vigilado, sabemos dónde vivís y con quién andás."),
    (
        ["HARASSMENT"],
        "CL",
        "CALL",
        "Ejecutivo: Lo vamos a llamar todos los días, mañana, tarde y noche, hasta que pague.",
    ),
    (
        ["HARASSMENT"],
        "ES",
        "CALL",
        "No habrá un solo día en que no reciba una llamada nuestra hasta que pague.",
    ),
    (
        ["HARASSMENT"],
        "US",
        "CALL",
        "We'll keep calling you every single day, morning and night, until you pay.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "WHATSAPP",
        "Tu foto y tu nombre van a aparecer en nuestra página de Facebook de deudores.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "SMS",
        "Si no paga, su nombre va a salir en el grupo de WhatsApp del conjunto.",
    ),
    (["PUBLIC_SHAMING"], "AR", "WHATSAPP", "Te vamos a escrachar en todas las redes."),
    (["PUBLIC_SHAMING"], "CL", "VISIT", "Vamos a pegar carteles con su nombre en la junta de vecinos."),
    (
        ["PUBLIC_SHAMING"],
        "PE",
        "VISIT",
        "Mandaremos personal con polos que digan MOROSO a la puerta de su trabajo.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "EMAIL",
        "Su nombre y la deuda se mostrarán en el apartado de morosos de nuestra web.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "SMS",
        "We'll put your picture on our Instagram so all your followers see you don't pay.",
    ),
    ([], "CO", "EMAIL", "Puede consultar su estado de cuenta en nuestra página web o en la app."),
    ([], "AR", "WHATSAPP", "Publicamos nuestras promociones en Facebook e Instagram; seguinos."),
    (["ASKING_REASON"], "CO", "WHATSAPP", "Cuénteme qué pasó que no ha pagado la cuota de abril."),
    (["ASKING_REASON"], "CO", "CALL", "Agente: ¿A qué se debe el atraso en sus pagos?"),
    (["ASKING_REASON"], "CO", "CALL", "Agente: Necesito que me explique el motivo del no pago."),
    (["ASKING_REASON"], "CO", "SMS", "¿Por qué razón dejó de pagar su crédito?"),
    ([], "MX", "CALL", "Agente: ¿A qué se debe el atraso en sus pagos?"),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "VISIT",
        "Gestor: Deme a mí los mil quinientos en efectivo y yo lo reporto.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "LETTER",
        "Deposite en la cuenta 1234 5678 9012 a nombre de la Lic. Marta Ruiz, abogada del despacho.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "Transfiera a la CLABE 012180001234567891 a nombre de Juan Pérez López.",
    ),
    ([], "MX", "LETTER", "Deposite en la cuenta 1234 5678 de BBVA a nombre de Financiera Sol, S.A. de C.V."),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "ES",
        "SMS",
        "Si no llama hoy, comunicaremos su deuda a sus familiares y a su empresa.",
    ),
    (["THIRD_PARTY_DISCLOSURE"], "MX", "WHATSAPP", "Le vamos a avisar a tu jefe que debes."),
    (["THIRD_PARTY_DISCLOSURE"], "CO", "SMS", "Informaremos a sus referencias personales sobre su mora."),
    ([], "ES", "EMAIL", "Nunca informaremos de su deuda a su familia ni a su empresa."),
    (["THREAT_OF_ARREST"], "CL", "VOICEMAIL", "Si no paga, lo van a ir a buscar los pacos y se lo llevan."),
    (["THREAT_OF_ARREST"], "AR", "WHATSAPP", "Te va a venir a buscar la cana a tu casa."),
]

ROUND5_BATCH2: list[tuple[list[str], str, str, str]] = [
    (
        [],
        "PE",
        "CALL",
        "Usuario: ¿Es cierto que la policía me va a buscar?\nAsesora: No, señor. Por una deuda nadie lo detiene. Le ofrezco refinanciar.",
    ),
    (
        [],
        "ES",
        "CALL",
        "Cliente: Me dijeron que me iban a embargar la nómina mañana.\nGestor: Eso no es así; sin una sentencia nadie puede embargarle.",
    ),
    (
        [],
        "US",
        "CALL",
        "Customer: Are you going to garnish my wages tomorrow?\nRep: No. We can't garnish anything without a court judgment. This is a debt collector.",
    ),
    (
        [],
        "CO",
        "CALL",
        "Referencia: ¿Y a mí me van a cobrar esa plata?\nAgente: No, señora, usted no tiene ninguna obligación.",
    ),
    (
        ["THREAT_OF_ARREST"],
        "AR",
        "CALL",
        "Cliente: No puedo pagar este mes.\nOperador: Entonces vas a terminar preso, flaco.",
    ),
    (
        [],
        "CL",
        "EMAIL",
        "Nuestros ejecutivos jamás le pedirán depósitos en cuentas personales ni pagos en efectivo en su domicilio.",
    ),
    ([], "AR", "SMS", "Nunca vamos a contactar a tu jefe ni a tus familiares por esta deuda."),
    (
        [],
        "US",
        "SMS",
        "We will not contact your employer, nor share this debt with your family. This is a debt collector. Reply STOP to opt out.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "EMAIL",
        "Le recordamos que el no pago de la deuda constituye delito de estafa y será denunciado.",
    ),
    ([], "ES", "LETTER", "El no pago puede generar intereses de demora conforme a su contrato."),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "SMS",
        "Mañana a las 9 pasa nuestro equipo a retirar su refrigerador y la estufa.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "WHATSAPP",
        "Ya se programó el decomiso de los electrodomésticos de su vivienda para el viernes.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "SMS",
        "El martes acudiremos a su domicilio para llevarnos el coche y los muebles.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "WHATSAPP",
        "Mañana caemos con el camión y nos llevamos el lavarropas y la tele.",
    ),
    ([], "MX", "CALL", "Si un juez lo ordena, podrían embargar bienes; por eso conviene un convenio."),
    ([], "PE", "SMS", "Su pedido de refrigeradora será retirado de tienda el lunes. Gracias por su compra."),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "EMAIL",
        "Su conducta configura el delito de estafa y daremos intervención a la Fiscalía.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "WHATSAPP",
        "Vamos a consignar su caso ante el Ministerio Público por abuso de confianza.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "EMAIL",
        "Not paying this is considered fraud and your file will go to the district attorney. This communication is from a debt collector. Unsubscribe here.",
    ),
    (
        [],
        "CL",
        "EMAIL",
        "Si detecta un cargo que no reconoce, puede presentar la denuncia en la PDI o la Fiscalía.",
    ),
    (
        ["IMPERSONATION"],
        "MX",
        "SMS",
        "SAT - ADMINISTRACION DESCONCENTRADA DE RECAUDACION. Regularice su adeudo con Tiendas Sol hoy.",
    ),
    (
        ["IMPERSONATION"],
        "ES",
        "CALL",
        "Buenos días, le llamo del departamento de ejecuciones del Juzgado de Getafe por su deuda con Banco Centro.",
    ),
    (
        ["IMPERSONATION"],
        "CL",
        "LETTER",
        "CARABINEROS DE CHILE\nPREFECTURA SANTIAGO ORIENTE\n\nSe le cita por deuda impaga con Retail Sur.",
    ),
    (
        ["IMPERSONATION"],
        "US",
        "LETTER",
        "Internal Revenue Service\nCollections Unit\n\nYour balance with Apex Card is delinquent. Pay today.",
    ),
    (
        [],
        "PE",
        "LETTER",
        "Cobranzas Andinas SAC\n\nSi tiene un reclamo, puede acudir a INDECOPI o a la SBS.\n\nAtentamente,\nÁrea de Cobranzas",
    ),
    (
        [],
        "CO",
        "SMS",
        "Financiera Andes, entidad vigilada por la Superintendencia Financiera. Su cuota vence el 5.",
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Estimado cliente:\nLe recordamos su cuota pendiente.\nSi no está conforme puede reclamar ante el Banco de España.",
    ),
    (
        ["HARASSMENT"],
        "PE",
        "WHATSAPP",
        "Qué bonito el colegio de sus hijos en Surco. Una pena sería que algo les pasara camino a casa.",
    ),
    (
        ["HARASSMENT"],
        "ES",
        "WHATSAPP",
        "Le tenemos en el punto de mira. No tendrá un minuto de paz hasta que pague.",
    ),
    (
        ["HARASSMENT"],
        "AR",
        "CALL",
        "Operador: Te vamos a llamar a toda hora, de día y de noche, hasta que pagues.",
    ),
    (["HARASSMENT"], "US", "CALL", "Agent: We'll be calling you nonstop, day and night, until this is paid."),
    (["HARASSMENT"], "CO", "SMS", "No habrá una noche en que no le timbremos hasta que pague."),
    (
        [],
        "CL",
        "CALL",
        "Ejecutiva: Lo llamaremos una vez por semana, en horario hábil, para ver su situación.",
    ),
    ([], "MX", "CALL", "Agente: Vamos a buscarle opciones de pago, ¿le parece?"),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "WHATSAPP",
        "Vamos a subir tu foto con tu deuda al grupo de Facebook de la colonia.",
    ),
    (["PUBLIC_SHAMING"], "CL", "SMS", "Su nombre y RUT serán publicados en nuestra página de morosos."),
    (["PUBLIC_SHAMING"], "PE", "VISIT", "Mañana vienen los chicos con carteles que dicen DEUDOR a su casa."),
    (["PUBLIC_SHAMING"], "AR", "SMS", "Si no pagás te funamos en Instagram."),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "LETTER",
        "Publicaremos en nuestra web un listado de deudores en el que aparecerá su nombre.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "SMS",
        "We'll post your name and debt on our Facebook wall for the whole neighborhood. This is a debt collector. Reply STOP to opt out.",
    ),
    ([], "MX", "SMS", "Sigue nuestra página de Facebook para enterarte de promociones y descuentos."),
    ([], "ES", "EMAIL", "Nunca publicaremos su nombre ni sus datos en internet."),
    (["ASKING_REASON"], "CO", "WHATSAPP", "Quisiera entender por qué no ha realizado el pago de este mes."),
    (["ASKING_REASON"], "CO", "CALL", "Agente: Dígame la razón, don Jairo, ¿por qué no ha consignado?"),
    (["ASKING_REASON"], "CO", "SMS", "Por favor indíquenos la causa de su atraso respondiendo este mensaje."),
    (["ASKING_REASON"], "CO", "CALL", "Agente: ¿Qué le pasó que no volvió a pagar?"),
    ([], "CO", "CALL", "Agente: ¿En qué le puedo ayudar? Cuénteme el motivo de su llamada."),
    ([], "PE", "WHATSAPP", "¿Por qué no ha pagado? Cuéntenos y buscamos una opción."),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "Haga el depósito a la tarjeta 4152 3131 0000 1234 a nombre del Ing. Pablo Soto.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "VISIT",
        "Gestor: Si me da ahorita los 800 pesos, yo se los abono mañana.",
    ),
    (["PAYMENT_DESTINATION"], "PE", "WHATSAPP", "Yapea los S/ 200 al 987 654 321, es mi número personal."),
    (
        [],
        "MX",
        "LETTER",
        "Pague en cualquier sucursal de Banorte a la cuenta de Créditos Sol, S.A. de C.V., con su referencia.",
    ),
    ([], "CO", "SMS", "Pague por PSE o en corresponsales bancarios a nombre de Financiera Andes S.A."),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "SMS",
        "Si no paga, le pasaremos su estado de cuenta a sus referencias personales.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CL",
        "WHATSAPP",
        "Vamos a informar a su empleador que usted mantiene una deuda impaga.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "EMAIL",
        "If you don't call back, we will share your account details with your employer. This communication is from a debt collector. Unsubscribe here.",
    ),
    (
        [],
        "CO",
        "CALL",
        "Agente: Buenas tardes, ¿se encuentra el señor Ruiz? Le dejo mi número para que me devuelva la llamada.",
    ),
    (["THREAT_OF_ARREST"], "PE", "SMS", "Si no paga hoy, los tombos vendrán a su casa a llevárselo."),
    (["THREAT_OF_ARREST"], "MX", "WHATSAPP", "Ya mero te cae la patrulla, al rato vienen por ti."),
    ([], "AR", "CALL", "Operador: Nadie va a ir preso por una deuda, quedate tranquilo."),
]

ROUND5_BATCH3: list[tuple[list[str], str, str, str]] = [
    (
        [],
        "MX",
        "CALL",
        "Agente: Usted me comentó que un cobrador le dijo que iría a la cárcel; eso es falso y puede reportarlo a CONDUSEF.",
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Sus datos se conservarán durante el plazo legal de cinco años y después se cancelarán.",
    ),
    (
        [],
        "CL",
        "EMAIL",
        "La información de morosidad solo puede mantenerse publicada por un máximo de cinco años según la ley.",
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. If you believe someone is impersonating the IRS or police, report it to the FTC. Unsubscribe here.",
    ),
    (
        [],
        "AR",
        "WHATSAPP",
        "Somos un estudio de cobranzas supervisado por el BCRA. Podés consultar tu deuda en nuestra web.",
    ),
    (
        [],
        "PE",
        "CALL",
        "Asesor: Si no llegamos a un acuerdo, la Caja podría iniciar un proceso judicial, y solo un juez puede ordenar un embargo.",
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Recuerde que ningún funcionario está autorizado para recibir dinero en efectivo ni consignaciones a cuentas de terceros.",
    ),
    ([], "MX", "SMS", "Esta no es una notificación judicial ni un citatorio. Cobranza Norte 55 1234 5678."),
    (
        [],
        "ES",
        "CALL",
        "Gestora: Si usted decide no pagar, el banco puede acudir a los tribunales; sería un procedimiento civil, no penal.",
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: Just so you know, we will never contact your employer about this. This is a call from a debt collector.",
    ),
    (["THREAT_OF_ARREST"], "ES", "SMS", "Si no abona hoy, la Guardia Civil pasará a detenerle esta semana."),
    (["THREAT_OF_ARREST"], "CO", "WHATSAPP", "Ya salió la orden de captura en su contra, mejor pague hoy."),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "VOICEMAIL",
        "There is a warrant out for your arrest regarding this debt. Call us back immediately.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "WHATSAPP",
        "El lunes pasamos con el camión a retirar el refrigerador y el televisor, ya está autorizado.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "CALL",
        "Agente: Ya se giró la orden de embargo y el jueves le vacían la casa.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "SMS",
        "Su deuda fue derivada al área penal. Se procederá con la denuncia por estafa.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "SMS",
        "Your wages will be garnished starting next Friday. This is from a debt collector. Reply STOP to opt out.",
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "AR",
        "LETTER",
        "CÉDULA DE NOTIFICACIÓN\nExpediente N° 4455/2026\nAutos caratulados: Banco Sur c/ Gómez s/ cobro ejecutivo\nIntímese al pago en 48 horas.",
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "US",
        "LETTER",
        "SUMMONS\nCase No. 2026-CV-1182\nYou are hereby ordered to appear. Pay ACME Recovery to avoid judgment.",
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "CALL",
        "Agente: Le habla el intendente Ramírez de la Policía Nacional, por su deuda con Almacenes Éxito.",
    ),
    (["IMPERSONATION"], "AR", "SMS", "AFIP - COBRO COACTIVO: Regularice su deuda con Tarjeta Naranja hoy."),
    (
        ["IMPERSONATION"],
        "US",
        "SMS",
        "SHERIFF'S OFFICE - CIVIL DIVISION: contact us today regarding your unpaid account with Zeta Loans.",
    ),
    (["HARASSMENT"], "MX", "CALL", "Agente: Usted es un muerto de hambre y un vividor, pague ya."),
    (["HARASSMENT"], "CL", "WHATSAPP", "Sabemos en qué liceo estudia su hija. Cuídela mucho."),
    (["HARASSMENT"], "AR", "WHATSAPP", "Te vamos a hacer la vida imposible hasta que pagues, boludo."),
    (["HARASSMENT"], "US", "CALL", "Agent: You're a pathetic loser. We'll call every hour until you pay."),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "WHATSAPP",
        "Vamos a compartir su foto en el grupo del conjunto para que todos sepan que no paga.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "VISIT",
        "Gestor: La próxima vez venimos con la manta que dice MOROSO y la colgamos en su reja.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "SMS",
        "Su nombre aparecerá en el tablón de morosos de la comunidad de vecinos.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "EMAIL",
        "We will list you on our public website of people who don't pay their debts. This communication is from a debt collector. Unsubscribe.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "AR",
        "WHATSAPP",
        "Le vamos a contar a tu vieja y a tus compañeros de laburo que no pagás.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "PE",
        "SMS",
        "Si no regulariza, comunicaremos su deuda a su centro de trabajo.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "SMS",
        "We'll let your boss and coworkers know about this debt. This is from a debt collector. Reply STOP to opt out.",
    ),
    (["MISREPRESENTATION"], "MX", "SMS", "Si no paga, quedará en Buró de Crédito para siempre."),
    (["MISREPRESENTATION"], "ES", "EMAIL", "Su deuda se duplicará por ley si no paga este mes."),
    (["ASKING_REASON"], "CO", "WHATSAPP", "Necesitamos saber por qué dejó de pagar para actualizar su caso."),
    (["ASKING_REASON"], "CO", "CALL", "Agente: ¿Cuál fue el inconveniente para no pagar la cuota?"),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "CALL",
        "Agente: Mejor deposítele a mi compañero a su tarjeta personal, así se aplica más rápido.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "VISIT",
        "Gestor: Páseme el efectivo a mí y le doy un recibo hecho a mano.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "WHATSAPP",
        "Consigne los $300.000 a la cuenta de ahorros a nombre de la señora Gloria Patiño.",
    ),
    (
        [],
        "MX",
        "WHATSAPP",
        "Puede pagar en OXXO con la referencia 123456 o por transferencia a la CLABE de Financiera Sol.",
    ),
]


ROUND5_BATCH4: list[tuple[list[str], str, str, str]] = [
    ([], "MX", "SMS", "Recuerde retirar su tarjeta del cajero y guardar su comprobante."),
    ([], "PE", "WHATSAPP", "Puede recoger su televisor reparado en tienda desde el lunes."),
    ([], "CL", "EMAIL", "Si paga hoy, le retiramos los intereses de mora y la comisión."),
    ([], "AR", "CALL", "Operador: Si me podés dar una fecha de pago, lo anoto en el sistema."),
    ([], "MX", "CALL", "Agente: ¿Me puede dar su número de referencia para ubicar el pago de 500 pesos?"),
    ([], "CO", "CALL", "Agente: La policía no tiene nada que ver con esto, señora; es un asunto civil."),
    (
        [],
        "ES",
        "LETTER",
        "Le informamos de que, conforme a la ley, sus datos podrán comunicarse a ficheros de solvencia si la deuda es cierta, vencida y exigible, previo requerimiento de pago.",
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. We are required by law to tell you that we cannot sue you for this old debt. Unsubscribe here.",
    ),
    ([], "CL", "CALL", "Ejecutivo: Entiendo su situación. ¿Le acomoda que le llamemos el jueves?"),
    (
        [],
        "CO",
        "WHATSAPP",
        "Cuéntenos cómo podemos ayudarle a ponerse al día. Tenemos planes desde 3 cuotas.",
    ),
    ([], "PE", "SMS", "Caja Sur le informa: puede pagar en agentes BCP a nombre de Caja Sur S.A."),
    (
        [],
        "AR",
        "WHATSAPP",
        "Estudio Pérez & Asoc.\nTu deuda con Banco Sur es de $45.000. Te ofrecemos un plan.\nDefensa del Consumidor: 0800-666-1518",
    ),
    (
        [],
        "MX",
        "LETTER",
        "Despacho Legal Norte\nMonterrey, N.L.\n\nSr. Juan Gómez:\nLe recordamos su adeudo de $3,200 con Tiendas Sol.\nAtentamente,\nLic. Sara Mena, gestora",
    ),
    (
        [],
        "ES",
        "CALL",
        "Gestor: El cliente me dijo: 'me van a meter en la cárcel'. Le expliqué que eso no es verdad.",
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: Some people worry they'll be arrested over debt; that does not happen. This is a debt collector.",
    ),
    (["THREAT_OF_ARREST"], "ES", "WHATSAPP", "Como no pague, acabará en el talego, se lo aseguro."),
    (["THREAT_OF_ARREST"], "CO", "SMS", "Señor, si no cancela hoy, mañana lo recoge la policía en su casa."),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "CALL",
        "Asesor: Ya coordinamos con el martillero; el lunes se remata su moto.",
    ),
    (["FALSE_LEGAL_THREAT"], "MX", "SMS", "El actuario pasará mañana a embargar sus bienes. Pague hoy."),
    (["FALSE_LEGAL_THREAT"], "AR", "SMS", "Tu sueldo ya está embargado desde este mes, no hay vuelta atrás."),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "SMS",
        "We're sending a tow truck for your car tomorrow morning. This is a debt collector. Reply STOP to opt out.",
    ),
    (["FALSE_LEGAL_THREAT"], "CL", "EMAIL", "El no pago reiterado es estafa y será informado a la PDI."),
    (
        ["IMPERSONATION"],
        "PE",
        "SMS",
        "INDECOPI: usted mantiene deuda con Tiendas Perú. Regularice hoy para evitar sanciones.",
    ),
    (
        ["IMPERSONATION"],
        "MX",
        "CALL",
        "Agente: Le llamo de parte del juzgado civil para confirmar su domicilio por la demanda de Banco Sol.",
    ),
    (
        ["IMPERSONATION"],
        "US",
        "VOICEMAIL",
        "This is Deputy Harris with the county sheriff's department. Call me back about your unpaid loan.",
    ),
    (["HARASSMENT"], "PE", "WHATSAPP", "Sabemos por dónde camina tu hija al colegio. Tú verás."),
    (["HARASSMENT"], "ES", "CALL", "Gestor: Es usted un sinvergüenza y un caradura."),
    (["HARASSMENT"], "MX", "SMS", "Te vamos a estar marcando cada 10 minutos hasta que pagues."),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "WHATSAPP",
        "Mañana sale tu cara en el estado de WhatsApp de todos nuestros gestores con la leyenda DEUDOR.",
    ),
    (["PUBLIC_SHAMING"], "AR", "SMS", "Vamos a pegar tu foto en la puerta de la carnicería del barrio."),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "VISIT",
        "Cobrador: Vinimos con el megáfono para que todo el barrio sepa que usted no paga.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "ES",
        "EMAIL",
        "Si no contesta, pondremos su deuda en conocimiento de su empresa.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "CALL",
        "Agente: Voy a llamar a sus referencias para contarles que usted debe.",
    ),
    (["ASKING_REASON"], "CO", "SMS", "Responda este SMS con el motivo de su incumplimiento."),
    (["ASKING_REASON"], "CO", "CALL", "Agente: Explíquenos por qué dejó de pagar desde enero."),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "SMS",
        "Para evitar recargos, deposita a la cuenta 0123 4567 de mi compañera Lupita.",
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "WHATSAPP",
        "Plinéame los S/ 150 al 912 345 678 y te mando la constancia.",
    ),
    (["MISREPRESENTATION"], "CO", "SMS", "Su reporte en Datacrédito será permanente si no paga hoy."),
]


ROUND5_BATCH5: list[tuple[list[str], str, str, str]] = [
    (
        ["PUBLIC_SHAMING"],
        "CL",
        "WHATSAPP",
        "Vamos a publicar en el Facebook de la villa que usted no paga sus deudas.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "SMS",
        "Tu nombre va a estar en la lista que pegamos en la tiendita de la esquina.",
    ),
    (["PUBLIC_SHAMING"], "PE", "WHATSAPP", "Subiremos un video tuyo a TikTok explicando que eres moroso."),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "WHATSAPP",
        "Vamos a colgar en el portal de su edificio un aviso con su nombre y lo que debe.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "AR",
        "VISIT",
        "Cobrador: Vamos a venir con un bombo y un cartel a la puerta de tu laburo.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "SMS",
        "Lo exhibiremos en la cartelera del conjunto residencial como deudor moroso.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "SMS",
        "Your name goes up on our Wall of Shame this Friday. This is a debt collector. Reply STOP to opt out.",
    ),
    ([], "CL", "EMAIL", "Nuestra política prohíbe publicar datos de clientes en redes sociales o carteles."),
    ([], "PE", "WHATSAPP", "Encuentra nuestras agencias en la página web de la Caja."),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "WHATSAPP",
        "Ya se ordenó el embargo de su cuenta de nómina, el lunes queda congelada.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "CALL",
        "Agente: Mañana le embargamos la casa, ya lo decidió el área legal.",
    ),
    (["FALSE_LEGAL_THREAT"], "AR", "SMS", "Se iniciará el secuestro de su vehículo en 48 hs. Comuníquese."),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "SMS",
        "Su impago constituye un delito de estafa. Evite la denuncia pagando hoy.",
    ),
    (["FALSE_LEGAL_THREAT"], "PE", "WHATSAPP", "Tu caso ya pasó a la Fiscalía por estafa agravada."),
    ([], "AR", "EMAIL", "En caso de no llegar a un acuerdo, el banco podría promover una demanda judicial."),
    ([], "MX", "SMS", "Evite el cobro de intereses moratorios pagando antes del día 10."),
    ([], "ES", "CALL", "Gestor: Un embargo solo lo puede ordenar un juez tras un procedimiento judicial."),
    (["ASKING_REASON"], "CO", "WHATSAPP", "¿Cuál es la razón por la que no ha vuelto a pagar?"),
    (["ASKING_REASON"], "CO", "CALL", "Agente: Quiero entender qué lo llevó a dejar de pagar."),
    (["ASKING_REASON"], "CO", "SMS", "Infórmenos el motivo del no pago respondiendo a este número."),
    (
        [],
        "CO",
        "WHATSAPP",
        "Si quiere, puede contarnos su situación para ofrecerle un plan; no está obligado a hacerlo.",
    ),
    ([], "MX", "WHATSAPP", "¿Por qué no ha pagado? Cuéntenos para ayudarle."),
    (["PAYMENT_DESTINATION"], "MX", "WHATSAPP", "Mándame la transferencia a mi Mercado Pago y yo lo aplico."),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "LETTER",
        "Realice sus pagos mediante depósito a la cuenta 4455 8899 a nombre de la Sra. Elena Ríos Vega, gestora asignada.",
    ),
    (["PAYMENT_DESTINATION"], "MX", "VISIT", "Gestor: Démelo a mí en efectivo, ahorita se lo registro."),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "SMS",
        "Deposite en la cuenta de ahorros 191-2233 de nuestro asesor Carlos, es más rápido.",
    ),
    (
        [],
        "MX",
        "LETTER",
        "Los pagos se realizan exclusivamente en la cuenta CLABE 012 180 0011 2233 4455 a nombre de Créditos Sol, S.A. de C.V.",
    ),
    (
        [],
        "CO",
        "WHATSAPP",
        "Nuestros asesores nunca reciben dinero en efectivo. Pague solo en bancos autorizados.",
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "WHATSAPP",
        "Le escribe el patrullero Gómez, de la Policía Nacional, por su obligación con Crediflash.",
    ),
    (
        ["IMPERSONATION"],
        "CL",
        "SMS",
        "PDI - BRIGADA INVESTIGADORA: registra deuda impaga. Llame al 2 2708 0000.",
    ),
    (
        ["IMPERSONATION"],
        "ES",
        "LETTER",
        "AGENCIA TRIBUTARIA\nDelegación de Valencia\n\nRequerimiento de pago de su deuda con Crédito Levante.",
    ),
    (
        ["IMPERSONATION"],
        "US",
        "CALL",
        "Agent: I'm calling from the district attorney's office about your unpaid credit card.",
    ),
    (
        [],
        "CL",
        "CALL",
        "Ejecutivo: Le llamo de Cobranzas Andes; nosotros no somos Carabineros ni el tribunal.",
    ),
    (
        [],
        "US",
        "LETTER",
        "Northgate Services\nThis communication is from a debt collector.\nYou may contact the Consumer Financial Protection Bureau at consumerfinance.gov.",
    ),
    (
        [],
        "MX",
        "CALL",
        "Agente: Nuestra oficina queda enfrente de la delegación de policía, por si viene a pagar.",
    ),
    (
        [],
        "CL",
        "WHATSAPP",
        "Ojo: nadie puede ir preso por deudas en Chile; desconfíe de quien le diga lo contrario.",
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. You will not be arrested or jailed for this debt. Unsubscribe here.",
    ),
    (["THREAT_OF_ARREST"], "MX", "SMS", "Orden de aprehensión en trámite. Pague hoy y evítela."),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "SMS",
        "Police will be dispatched to your home if you don't pay today. This is a debt collector. Reply STOP to opt out.",
    ),
    ([], "PE", "CALL", "Asesor: Le llamaré mañana a las diez, como acordamos."),
    ([], "AR", "WHATSAPP", "Te escribimos para recordarte tu cuota. Cualquier consulta, estamos."),
    (["HARASSMENT"], "PE", "CALL", "Asesor: Oiga, so conchudo, pague de una vez."),
    (["HARASSMENT"], "CL", "SMS", "Vamos a estar afuera de su casa todos los días hasta que pague."),
    (
        [],
        "CO",
        "EMAIL",
        "Le informamos que este mensaje no es una citación judicial; es un recordatorio de pago.",
    ),
    (
        [],
        "ES",
        "LETTER",
        "Si el banco inicia un procedimiento monitorio, será el juzgado quien le requiera el pago, no esta empresa.",
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "CO",
        "LETTER",
        "RADICADO No. 2026-00451\nCITACIÓN PARA NOTIFICACIÓN PERSONAL\nComparezca a nuestras oficinas para pagar su obligación.",
    ),
]


ROUND5_BATCH6: list[tuple[list[str], str, str, str]] = [
    (
        ["THREAT_OF_ARREST"],
        "US",
        "CALL",
        "Agent: If this isn't settled by Friday, you'll be picked up by the police. This is a debt collector.",
    ),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "SMS",
        "A bench warrant will be issued in your name unless you call today. This is a debt collector. Reply STOP to opt out.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "EMAIL",
        "We have already started the process to seize your bank account on Monday. This communication is from a debt collector. Unsubscribe.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "CALL",
        "Agent: What you're doing is check fraud, and we'll be pressing charges. This is a debt collector.",
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "US",
        "LETTER",
        "IN THE CIRCUIT COURT OF COOK COUNTY\nNOTICE TO APPEAR\nCase No. 26-M1-4410\nContact Apex Recovery to settle before your hearing.",
    ),
    (
        ["IMPERSONATION"],
        "US",
        "SMS",
        "US Marshals Service: an unpaid balance is linked to your SSN. Call 888-555-0101 now.",
    ),
    (
        ["HARASSMENT"],
        "US",
        "CALL",
        "Agent: Listen, you worthless deadbeat, pay up or else. This is a debt collector.",
    ),
    (
        ["HARASSMENT"],
        "US",
        "CALL",
        "Agent: We know where you live and where your kids go to school. This is a debt collector.",
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "EMAIL",
        "Unless you pay, we'll share your debt in your neighborhood's Nextdoor group. This communication is from a debt collector. Unsubscribe.",
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "SMS",
        "We will contact your employer's HR department about this balance. This is a debt collector. Reply STOP to opt out.",
    ),
    (
        ["MISREPRESENTATION"],
        "US",
        "EMAIL",
        "This debt will stay on your credit report forever if you don't pay. This communication is from a debt collector. Unsubscribe.",
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: You mentioned a caller told you you'd be jailed; that's not true, and you can report it to the CFPB. This is a debt collector.",
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. A court judgment could allow wage garnishment only if a judge orders it. Unsubscribe.",
    ),
    (
        [],
        "US",
        "SMS",
        "This is a debt collector. We never post anything about customers on social media. Reply STOP to opt out.",
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: This is not the police or a court; we are a private debt collector calling about your account.",
    ),
    (["THREAT_OF_ARREST"], "AR", "WHATSAPP", "Che, si no ponés la guita, terminás en cana."),
    (["HARASSMENT"], "AR", "CALL", "Operador: Sos un chanta y un garca, pagá lo que debés."),
    (
        ["PUBLIC_SHAMING"],
        "AR",
        "WHATSAPP",
        "Si no pagás, te vamos a exponer en el grupo de padres del colegio.",
    ),
    (["THIRD_PARTY_DISCLOSURE"], "AR", "SMS", "Vamos a avisarle a tu jefe que tenés una deuda."),
    (
        ["ASKING_REASON"],
        "CO",
        "WHATSAPP",
        "Buenas, quisiera preguntarle por qué no ha consignado la cuota de este mes.",
    ),
    (["ASKING_REASON"], "CO", "CALL", "Agente: ¿Por cuál motivo no ha pagado, don Hernán?"),
    (["PAYMENT_DESTINATION"], "PE", "WHATSAPP", "Yapéame a mi cel personal y te descuento la mora."),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "WHATSAPP",
        "Consigne a mi Nequi 310 222 3344 y le aplico el pago hoy mismo.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "SMS",
        "Mañana se hará efectivo el embargo de su salario, no hay forma de detenerlo.",
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "SMS",
        "Se ha ordenado el retiro de su vehículo. Pague hoy para evitarlo.",
    ),
    (
        ["IMPERSONATION"],
        "PE",
        "CALL",
        "Asesor: Le llamamos de la Superintendencia de Banca y Seguros por su deuda con Caja Huancayo.",
    ),
    (
        ["IMPERSONATION"],
        "ES",
        "SMS",
        "Guardia Civil - Unidad de Delitos Económicos: regularice su deuda con Préstamos Ya.",
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "MX",
        "WHATSAPP",
        "CITATORIO: se le cita a comparecer en nuestras oficinas el lunes a las 10 por el juicio 345/2026.",
    ),
    (["MISREPRESENTATION"], "ES", "SMS", "Si no paga, estará en ASNEF de por vida."),
    (
        [],
        "AR",
        "WHATSAPP",
        "Hola, te escribe Sofi de Cobranzas Sur. ¿Podés pagar esta semana? Si no, armamos un plan.",
    ),
    ([], "CO", "CALL", "Agente: No estamos obligados a saber el motivo; solo le ofrecemos un acuerdo."),
    (
        [],
        "ES",
        "EMAIL",
        "Le recordamos que puede ejercer sus derechos ante la Agencia Española de Protección de Datos.",
    ),
    (
        [],
        "PE",
        "LETTER",
        "Cobranzas Andinas\n\nSu deuda con Caja Sur asciende a S/ 2,300.\nPuede reclamar ante INDECOPI.\n\nAtentamente,\nCobranzas Andinas",
    ),
    (
        [],
        "MX",
        "CALL",
        "Deudor: ¿Van a publicar mi nombre en Facebook como dice mi vecino?\nAgente: No, eso está prohibido y no lo hacemos.",
    ),
    (
        [],
        "CL",
        "WHATSAPP",
        "Recuerde: el pago solo se hace en la cuenta corriente de Banco Sur a nombre de Retail Andes SpA.",
    ),
    (
        [],
        "MX",
        "WHATSAPP",
        "Si un gestor le pide depósito a una cuenta personal, no lo haga y repórtelo al 800 123 4567.",
    ),
]


@pytest.mark.parametrize(
    ("want", "jurisdiction", "channel", "text"),
    ROUND5_BATCH1 + ROUND5_BATCH2 + ROUND5_BATCH3 + ROUND5_BATCH4 + ROUND5_BATCH5,
)
def test_round5_generalisation(want: list[str], jurisdiction: str, channel: str, text: str) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel))}
    if want:
        assert set(want) <= got, (text, got)
    else:
        assert got == set(), (text, got)


@pytest.mark.parametrize(
    ("want", "text"),
    [
        (
            ["TIME_BARRED_THREAT"],
            "This communication is from a debt collector. If you do not pay, we will file a lawsuit against you next month.",
        ),
        (
            [],
            "This communication is from a debt collector. Because of the age of your debt, we will not sue you for it.",
        ),
    ],
)
def test_round5_time_barred_suit_threat_vs_disclosure(want: list[str], text: str) -> None:
    got = {str(c) for c in codes(text, "US", channel=Channel.LETTER, time_barred=True)}
    assert got == set(want), (text, got)


# ---------------------------------------------------------------- round 6 (lexicon 2026.11.7)
# Sentences written for round 6 (not taken from any corpus): (want, jurisdiction, channel, text, time_barred).
# Batch 1 was measured before the round-6 changes (27/49 positives caught, 15/16 look-alikes clean), batch 2
# after the batch-1 changes and before its own (19/33, 10/11). They cover named prisons, seizure without the
# word "embargo", subject-less crime framing, false permanence, steering away from the creditor's branch,
# suit threats without "sue", veiled violence, rhetorical negations ("no queremos llegar a ...") and
# impersonated police whose "vamos por usted" is an arrest threat.
ROUND6_BATCH1 = [
    (
        ["THREAT_OF_ARREST"],
        "MX",
        "CALL",
        "Con esa actitud usted va a acabar en el Altiplano, se lo garantizo.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "CO",
        "WHATSAPP",
        "Si no cancela, lo próximo es que lo manden para La Picota.",
        False,
    ),
    (["THREAT_OF_ARREST"], "CL", "CALL", "Siga así no más y va a pasar la Navidad en Colina 2.", False),
    (
        ["THREAT_OF_ARREST"],
        "PE",
        "CALL",
        "Así como va, va a terminar durmiendo en Sarita Colonia, compadre.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "ES",
        "CALL",
        "Si no paga, acabará usted en Soto del Real como tantos otros.",
        False,
    ),
    (["THREAT_OF_ARREST"], "AR", "WHATSAPP", "Seguí así y terminás en Marcos Paz, te lo aseguro.", False),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "CALL",
        "Pay today or you'll be spending the weekend in county lockup.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "CALL",
        "A deputy will come by to take you in if this isn't paid by Friday.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "MX",
        "CALL",
        "Ya salió la orden y la patrulla va a pasar por usted a su trabajo cualquier día.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "WHATSAPP",
        "El jueves pasa nuestro equipo a llevarse la moto, ya está aprobado.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "SMS",
        "Desde la proxima quincena le descontaran la mitad del sueldo directamente por nomina.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "CALL",
        "Ya está programado el retiro de su auto para el lunes, la grúa llega a primera hora.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "CALL",
        "Mañana vamos con el personal a sacar los artefactos de su casa, ya está decidido.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "WHATSAPP",
        "La semana que viene te retienen el sueldo, ya está ordenado.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "CALL",
        "Ya tenemos autorización para quedarnos con su coche; el martes lo recogemos.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "CALL",
        "Our recovery team is scheduled to pick up your truck Tuesday morning.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "EMAIL",
        "No pagar su tarjeta teniendo con qué constituye fraude ante la ley penal.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "EMAIL",
        "Su caso será remitido a la Fiscalía para que responda penalmente.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "EMAIL",
        "Estamos evaluando formular denuncia por apropiación ilícita en su contra.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "EMAIL",
        "Lo suyo ya encuadra como defraudación y el estudio va a actuar en sede penal.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "LETTER",
        "Spending money you never meant to repay is theft, and we are referring the matter to the district attorney.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "MX",
        "CALL",
        "Esa mancha en Buró no se le va a quitar jamás, ni aunque pague.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "CL",
        "WHATSAPP",
        "Ese registro en DICOM lo va a acompañar hasta la tumba.",
        False,
    ),
    (["MISREPRESENTATION"], "AR", "WHATSAPP", "Con esto quedás en el Veraz indefinidamente.", False),
    (
        ["MISREPRESENTATION"],
        "US",
        "LETTER",
        "Once it is reported, this debt never comes off your credit file.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "US",
        "LETTER",
        "State law lets us triple the amount you owe after 90 days.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "PE",
        "SMS",
        "Si no paga hoy, su deuda se duplicará por ley el próximo mes.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "CALL",
        "Hágame el depósito a mí directamente, le paso mi número de tarjeta por WhatsApp.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "CALL",
        "No pague en el banco porque ahí no le respetan la quita; mejor transfiera a la cuenta que le mando.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "WHATSAPP",
        "Yapéame al 987 654 321, está a mi nombre, y te mando la constancia.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "CALL",
        "Consigne por Nequi al número del asesor y le congelamos los intereses.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "SMS",
        "Deposite a la CLABE 002180700123456789 a nombre de Rosa Elena Díaz y mande foto del ticket.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "If this is not resolved, our attorneys will take you to court.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "We're ready to pursue this in county court if we don't hear from you.",
        True,
    ),
    (["TIME_BARRED_THREAT"], "US", "CALL", "You could end up answering to a judge over this balance.", True),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "CALL",
        "Si no contesta, vamos a ir a platicar con su esposa de su adeudo.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "ES",
        "WHATSAPP",
        "Mañana llamaremos a sus padres para contarles lo de la deuda.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "AR",
        "WHATSAPP",
        "Si no aparecés le vamos a comentar a tu viejo lo que debés.",
        False,
    ),
    (
        ["HARASSMENT"],
        "CO",
        "CALL",
        "Cuídese mucho, uno nunca sabe qué le puede pasar a la gente que no paga.",
        False,
    ),
    (["HARASSMENT"], "ES", "WHATSAPP", "Le vamos a reventar el teléfono día y noche hasta que pague.", False),
    (["HARASSMENT"], "MX", "CALL", "Le vamos a estar marcando cada media hora hasta que pague.", False),
    (["ASKING_REASON"], "CO", "CALL", "¿Qué pasó con las cuotas, se gastó la plata en otra cosa?", False),
    (["ASKING_REASON"], "CO", "CALL", "Cuénteme qué fue lo que pasó para que dejara de pagar.", False),
    (
        ["IMPERSONATION"],
        "MX",
        "CALL",
        "Le llama la licenciada Pérez de la Procuraduría Federal del Consumidor por su adeudo.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "CALL",
        "Habla el patrullero Gómez de la Policía Metropolitana, es por su deuda con Banco Azul.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "US",
        "CALL",
        "This is Investigator Cole from the county prosecutor's office regarding your account.",
        False,
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "ES",
        "LETTER",
        "PARTE DEMANDANTE: Financiera Sol\nPARTE DEMANDADA: D. Luis Gil\nDILIGENCIA DE REQUERIMIENTO DE PAGO",
        False,
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "CO",
        "LETTER",
        "RADICADO No. 2025-0045\nPROCESO EJECUTIVO\nDEMANDADO: Juan Pérez\nSe le requiere el pago inmediato.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "EMAIL",
        "Your name will appear on our website's list of delinquent customers.",
        False,
    ),
    ([], "MX", "CALL", "Nadie va a ir a su casa a llevarse nada; eso solo lo puede ordenar un juez.", False),
    (
        [],
        "AR",
        "CALL",
        "Si no hay acuerdo, la entidad puede iniciar un juicio y será un juez quien decida.",
        False,
    ),
    (
        [],
        "PE",
        "WHATSAPP",
        "Nunca le vamos a pedir que deposite a una cuenta personal o al Yape de un asesor.",
        False,
    ),
    (
        [],
        "CL",
        "EMAIL",
        "El mensaje que recibió hablando de una 'orden de detención' es falso; en Chile no hay cárcel por deudas.",
        False,
    ),
    ([], "US", "LETTER", "Because of the age of your debt, we cannot take you to court over it.", True),
    (
        [],
        "US",
        "CALL",
        "We will not tell anyone about this, and you cannot be arrested for this debt.",
        False,
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Sus datos solo pueden permanecer en un fichero de morosos un máximo de cinco años.",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Puede presentar su queja ante la Superintendencia Financiera si lo considera.",
        False,
    ),
    (
        [],
        "MX",
        "SMS",
        "Pague solo en sucursales de Banco Norte o a la CLABE de Banco Norte que aparece en su estado de cuenta.",
        False,
    ),
    ([], "CO", "CALL", "¿Le queda mejor pagar el viernes o el lunes?", False),
    ([], "US", "LETTER", "If a court enters a judgment, wages could be garnished as the law allows.", False),
    ([], "ES", "EMAIL", "Puede denunciar cualquier abuso ante el Banco de España.", False),
    (
        [],
        "PE",
        "CALL",
        "Vamos a recoger la documentación firmada en su domicilio el lunes, si está de acuerdo.",
        False,
    ),
    ([], "AR", "CALL", "La cuota se descuenta del sueldo solo si vos firmaste el débito automático.", False),
    (
        [],
        "MX",
        "CALL",
        "Le llamamos de Cobranza Norte, no de la CONDUSEF; si quiere puede verificarnos ahí.",
        False,
    ),
    ([], "PE", "EMAIL", "Si desea, puede denunciarlo ante INDECOPI o la SBS.", False),
]

ROUND6_BATCH2 = [
    (
        ["THREAT_OF_ARREST"],
        "MX",
        "WHATSAPP",
        "No queremos llegar al punto de que lo saquen esposado frente a sus vecinos.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "CO",
        "CALL",
        "Sería una lástima que su familia tuviera que ir a visitarlo a La Modelo.",
        False,
    ),
    (["THREAT_OF_ARREST"], "AR", "CALL", "Mirá que de acá a Ezeiza hay un paso, flaco.", False),
    (["THREAT_OF_ARREST"], "PE", "CALL", "Si no paga, se procederá a solicitar su captura.", False),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "CALL",
        "It would be a shame for your kids to watch you leave in handcuffs.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "ES",
        "WHATSAPP",
        "Como no pague, la Guardia Civil se presentará en su domicilio para llevárselo.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "CALL",
        "No queremos llegar a tener que llevarnos sus muebles, pero mañana pasa la mudanza.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "WHATSAPP",
        "Se procederá al retiro de su vehículo este viernes si no regulariza.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "SMS",
        "Su empleador recibira la orden de descuento de nomina esta semana.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "EMAIL",
        "Su conducta podría ser constitutiva de un delito de estafa y se dará traslado al Juzgado de Guardia.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "WHATSAPP",
        "Mañana el tasador pasa a inventariar sus bienes para el remate.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "LETTER",
        "We are authorized to begin withholding part of your paycheck starting next pay period.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "EMAIL",
        "Quien compra sin intención de pagar comete defraudación y así lo informaremos a la fiscalía.",
        False,
    ),
    (["MISREPRESENTATION"], "MX", "SMS", "Su reporte en Buró es permanente y se hereda a sus hijos.", False),
    (
        ["MISREPRESENTATION"],
        "CO",
        "CALL",
        "Una vez reportado en Datacrédito nunca vuelve a salir, así pague.",
        False,
    ),
    (["MISREPRESENTATION"], "ES", "WHATSAPP", "Estará en el fichero de morosos para los restos.", False),
    (["MISREPRESENTATION"], "US", "CALL", "That collection account will follow you to the grave.", False),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "El pago me lo hace a mí por transferencia y yo me encargo de abonarlo al banco.",
        False,
    ),
    (["PAYMENT_DESTINATION"], "CO", "CALL", "Mándeme la plata a mi Daviplata y yo le hago el abono.", False),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "CALL",
        "Pásele el efectivo a mi compañero cuando lo visite, él le da su recibo.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "Absent payment, this account will be placed with local counsel for litigation.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "If you keep ignoring us, a judge is going to hear about it.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "SMS",
        "Pay now to avoid a lawsuit being filed against you. Reply STOP to opt out.",
        True,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CL",
        "WHATSAPP",
        "Si no me contestai le voy a mandar el detalle de la deuda a tu jefe.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "PE",
        "CALL",
        "No querrá que su esposa se entere por nosotros de lo que usted debe, ¿verdad?",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "CALL",
        "We'd hate to have to explain your situation to your employer.",
        False,
    ),
    (["HARASSMENT"], "AR", "WHATSAPP", "Sabemos dónde vive tu vieja y a qué colegio van los chicos.", False),
    (["HARASSMENT"], "MX", "CALL", "Ya sabemos a qué hora sale su hija de la escuela.", False),
    (["HARASSMENT"], "US", "CALL", "We know where your kids go to school.", False),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "WHATSAPP",
        "Vamos a mandar su foto al grupo del conjunto para que todos sepan que no paga.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "PE",
        "CALL",
        "Le llama el suboficial Ramos de la comisaría de Surco por su deuda con Caja Sur.",
        False,
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "AR",
        "LETTER",
        "EXPTE. N° 4512/2025\nAUTOS: BANCO PLATA C/ PEREZ JUAN S/ COBRO\nSe intima al pago en 48 horas.",
        False,
    ),
    (["ASKING_REASON"], "CO", "WHATSAPP", "Don Carlos, ¿y eso que dejó de pagar? Cuénteme qué pasó.", False),
    ([], "MX", "CALL", "No queremos llegar a un juicio; por eso le ofrecemos una quita del 30%.", False),
    (
        [],
        "CO",
        "EMAIL",
        "Si usted no paga, el banco podrá iniciar un proceso ejecutivo en el que un juez decidirá si procede un embargo.",
        False,
    ),
    ([], "ES", "CALL", "Nadie le va a detener por esto; la deuda es un asunto civil.", False),
    (
        [],
        "US",
        "CALL",
        "We can't sue you because of the age of this debt, and we won't report it to credit bureaus.",
        True,
    ),
    ([], "PE", "SMS", "Evite intereses: pague en agentes BCP a la cuenta de Caja Sur S.A.", False),
    (
        [],
        "CL",
        "EMAIL",
        "Si recibe mensajes que dicen que lo van a detener, es una estafa: denúncielo a la PDI.",
        False,
    ),
    ([], "AR", "CALL", "¿Te queda cómodo pagar el 10 o preferís el 15?", False),
    (
        [],
        "US",
        "LETTER",
        "Negative information can remain on your credit report for up to seven years.",
        False,
    ),
    (
        [],
        "MX",
        "EMAIL",
        "Le recordamos que el historial en Buró se borra después de 72 meses según la ley.",
        False,
    ),
    ([], "ES", "EMAIL", "Si paga hoy, su inclusión en ASNEF se cancelará de inmediato.", False),
    ([], "CO", "CALL", "Entendemos que se quedó sin trabajo; miremos un plan que le sirva.", False),
]


@pytest.mark.parametrize(
    ("want", "jurisdiction", "channel", "text", "time_barred"), ROUND6_BATCH1 + ROUND6_BATCH2
)
def test_round6_generalisation(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel), time_barred=time_barred)}
    if want:
        assert set(want) <= got, (text, got)
    else:
        assert got == set(), (text, got)


def test_round6_police_impersonator_coming_for_you_is_an_arrest_threat() -> None:
    text = "Le habla el oficial Soto de la Policía de Investigaciones. Si no paga hoy, vamos por usted."
    got = codes(text, "CL", channel=Channel.WHATSAPP)
    assert {C.IMPERSONATION, C.THREAT_OF_ARREST} <= got
    assert C.HARASSMENT not in got
    assert C.HARASSMENT in codes("Si no paga hoy, vamos por usted.", "CL", channel=Channel.WHATSAPP)


# ---------------------------------------------------------------- round 7 mechanisms, end to end
# Written for these tests after the round 7 fixes (regression guards, not an estimate): third parties reached
# through workplace slang and contact verbs, passive publication, doubling "por ley" with clitics, group-return
# intimidation, account freezes, "aprobada para demanda"; and the compliant look-alikes: identity-theft
# complaints, complaint channels, fraud warnings, conditional lawsuits, legal conditions, the Spanish
# time-barred disclosure and a "pre-legal" header.
ROUND7_E2E: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CL",
        "SMS",
        "Si no paga esta semana, vamos a informar en su pega que está moroso.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "PE",
        "SMS",
        "Informaremos a su centro de labores sobre las cuotas vencidas.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "WHATSAPP",
        "Sería muy feo que en su chamba se enteraran de su adeudo, ¿no cree?",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "ES",
        "LETTER",
        "De no recibir respuesta, nos pondremos en contacto con su empresa para informarles.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CO",
        "SMS",
        "Nos tocará llamar a sus referencias y contarles de la obligación.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "PE",
        "EMAIL",
        "Su nombre y DNI serán publicados en nuestra web si no regulariza.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "AR",
        "CALL",
        "Mirá que el mes que viene los intereses se te duplican por ley.",
        False,
    ),
    (["HARASSMENT"], "CL", "VISIT", "La próxima no vengo solo, vuelvo con los cabros.", False),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "SMS",
        "Su cuenta corriente quedará bloqueada el lunes por decisión de nuestro departamento jurídico.",
        False,
    ),
    (["TIME_BARRED_THREAT"], "US-TX", "CALL", "Su cuenta ya fue aprobada para demanda, llámenos hoy.", True),
    (["ASKING_REASON"], "CO", "VOICEMAIL", "Le pedimos que nos cuente qué le impidió pagar la cuota.", False),
    (
        [],
        "MX",
        "EMAIL",
        "Si alguien abrió este crédito con sus datos, le sugerimos presentar una denuncia ante el Ministerio Público por robo de identidad.",
        False,
    ),
    (
        [],
        "AR",
        "CALL",
        "Si tenés algún reclamo sobre esta llamada, podés hacerlo en Defensa del Consumidor.",
        False,
    ),
    (
        [],
        "CL",
        "CALL",
        "Si alguien lo llama diciendo que es del tribunal por esta deuda, corte: es una estafa.",
        False,
    ),
    ([], "CO", "WHATSAPP", "Si no paga el 15, el banco evaluará iniciar un proceso ejecutivo.", False),
    (
        [],
        "CL",
        "EMAIL",
        "Mientras no exista una resolución judicial, nadie puede embargar sus bienes.",
        False,
    ),
    (
        [],
        "US-FL",
        "EMAIL",
        "La ley limita el tiempo durante el cual se le puede demandar por una deuda; por su antigüedad no le demandaremos.",
        True,
    ),
    (
        [],
        "US-NY",
        "LETTER",
        "PRE-LEGAL NOTICE. Please call us to discuss a payment plan. This communication is from a debt collector.",
        False,
    ),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text", "time_barred"), ROUND7_E2E)
def test_round7_end_to_end(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel), time_barred=time_barred)}
    if want:
        assert set(want) <= got, (text, got)
    else:
        assert got == set(), (text, got)


def test_round7_no_spurious_extra_codes_on_seizure_threats() -> None:
    assert codes(
        "Hoy se ejecuta el embargo de su sueldo. Para detenerlo, llame ya.", "PE", channel=Channel.SMS
    ) == {C.FALSE_LEGAL_THREAT}
    assert codes("Mañana vamos a sacarle los muebles y la tele.", "MX") == {C.FALSE_LEGAL_THREAT}


# Round 7, batch 5: whole messages, exact code sets (12 compliant, 12 non-compliant; 22/24 right before its
# fixes). Fixes: "si alguien le ha dicho que lo pueden meter a la cárcel, es falso" is reported speech; "lo
# llamo a él y le cuento que usted anda atrasado" tells a third party.
ROUND7_BATCH5: list[tuple[list[str], str, str, str, bool]] = [
    (
        [],
        "MX",
        "EMAIL",
        "Estimado Sr. Garza: le recordamos que su crédito 4471 presenta dos mensualidades vencidas por $3,200. Puede pagar en ventanilla del banco o por transferencia a la cuenta de Financiera Norte. Si tiene dudas o desea presentar una queja, puede acudir a la CONDUSEF. Atentamente, Cobranza Integral, S.C.",
        False,
    ),
    (
        [],
        "CO",
        "WHATSAPP",
        "Buenos días, señora Marta. Le escribe Laura de Recaudos Andinos por su obligación con Banco Pacífico. Tenemos una alternativa de pago en 6 cuotas. Si lo prefiere, podemos llamarla en otro horario. Entidad vigilada por la Superintendencia Financiera.",
        False,
    ),
    (
        [],
        "CL",
        "SMS",
        "Sr. Rojas, su cuota de marzo sigue pendiente. Si ya pagó, ignore este mensaje. Cobranzas Pacífico. Consultas al 22 345 6789.",
        False,
    ),
    (
        [],
        "PE",
        "CALL",
        "Agente: Señor Quispe, le llamo de Cobranzas Andinas por su préstamo con Financiera Inca. Entiendo que la situación está difícil. ¿Le parece si revisamos un cronograma nuevo?\nDeudor: Me dijeron que me iban a embargar la casa.\nAgente: No, señor, nadie puede embargarle nada sin un proceso judicial. Queremos llegar a un acuerdo.",
        False,
    ),
    (
        [],
        "ES",
        "LETTER",
        "Estimado cliente: le informamos de que su préstamo presenta un saldo vencido de 812,40 €. Si no se alcanza un acuerdo, la entidad podrá ejercer las acciones judiciales que le correspondan. Puede consultar sus derechos ante el Banco de España. Atentamente, Departamento de Recobro.",
        False,
    ),
    (
        [],
        "AR",
        "WHATSAPP",
        "Hola Martín, te escribe Sofía de Cobros del Plata por tu tarjeta. Tenés 3 cuotas atrasadas. Te puedo ofrecer un plan en 10 cuotas. Si algún cobrador te amenazó con ir a tu trabajo, avisanos: no es nuestra forma de trabajar.",
        False,
    ),
    (
        [],
        "US",
        "LETTER",
        "Dear Ms. Lee: This communication is from a debt collector. Our records show a balance of $1,240.00 on your Northway Card account. If you dispute this debt, write to us within 30 days. We will not discuss this debt with your employer or family. Sincerely, Lakeside Recovery.",
        False,
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: This is Dana with Lakeside Recovery, a debt collector. You asked whether we would call your boss. No, we never contact employers about a debt. Would a payment plan help?",
        False,
    ),
    (
        [],
        "MX",
        "CALL",
        "Agente: Buenas tardes, habla Jorge de Cobranza Integral, en representación de Financiera Norte. Le llamo por su crédito. Si alguien le ha dicho que lo pueden meter a la cárcel por esto, es falso.",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Señor Pardo: si el banco decide iniciar un proceso ejecutivo, será un juez quien lo resuelva. Por ahora queremos ofrecerle un acuerdo. Recaudos Andinos S.A.S.",
        False,
    ),
    (
        [],
        "CL",
        "CALL",
        "Ejecutivo: Don Luis, sólo para aclarar: el reporte en DICOM no es de por vida, se elimina al pagar o a los cinco años. ¿Revisamos opciones?",
        False,
    ),
    (
        [],
        "PE",
        "SMS",
        "Sra. Flores: su cuota vence hoy. Puede pagar en agencias del BCP a nombre de Financiera Inca. Nunca deposite a cuentas de personas. Cobranzas Andinas.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "WHATSAPP",
        "Don Ernesto, ya van tres semanas sin pago. Si sigue así, el gestor pasará a platicar con su esposa para que le haga entender.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CO",
        "CALL",
        "Agente: Vea, don Fabio, usted puso a su primo como referencia. Si no me da una fecha, lo llamo a él y le cuento que usted anda atrasado.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "PE",
        "WHATSAPP",
        "Sr. Huamán, si no cancela hoy su foto saldrá en el Facebook de la financiera como cliente moroso.",
        False,
    ),
    (
        ["HARASSMENT"],
        "AR",
        "CALL",
        "Gestor: Mirá, flaco, te vamos a llamar cada hora, de día y de noche, hasta que pagues.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "ES",
        "CALL",
        "Gestor: Le aviso que, si no paga este mes, la deuda se le dobla por ley. No lo digo yo.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "SMS",
        "Don Pablo: el lunes se le retiene el sueldo por orden de nuestro departamento legal. Evítelo pagando hoy.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT", "THREAT_OF_ARREST"],
        "MX",
        "CALL",
        "Agente: Lo suyo ya es fraude, señor. Si no paga, lo denunciamos y va a terminar en el reclusorio.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "SMS",
        "Le escribimos de la Fiscalía General: tiene un proceso abierto por su deuda con Banco Andino.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "SMS",
        "Northway: your account has been approved for litigation. Call 800-555-0100 today. This communication is from a debt collector. Reply STOP to opt out.",
        True,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "SMS",
        "Sr. Pardo, necesitamos saber por qué dejó de pagar su cuota. Recaudos Andinos.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "EMAIL",
        "If we don't hear from you by Friday, we'll reach out to your employer's payroll office about this balance. This communication is from a debt collector. Unsubscribe: reply STOP.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "SMS",
        "Si no paga, colgaremos su nombre en el tablón de la comunidad de vecinos. Gestiones Norte.",
        False,
    ),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text", "time_barred"), ROUND7_BATCH5)
def test_round7_batch5_whole_messages(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel), time_barred=time_barred)}
    assert got == set(want), (text, got)


# Round 7, batch 6: whole messages, US English heavy (10 compliant, 14 non-compliant; 22/24 right before its
# fixes). Fixes: "we'll be sending a notice to your employer", painting "aquí vive un moroso" on the wall.
ROUND7_BATCH6: list[tuple[list[str], str, str, str, bool]] = [
    (
        [],
        "US",
        "CALL",
        "Agent: This is Kim with Harbor Collections, a debt collector. If you think someone opened this card in your name, you can file a police report for identity theft and send it to us.",
        False,
    ),
    (
        [],
        "US",
        "EMAIL",
        "If you have a complaint about how this debt is being collected, you can submit it to the Consumer Financial Protection Bureau at consumerfinance.gov. This communication is from a debt collector. Reply STOP to unsubscribe.",
        False,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. If your creditor files a lawsuit and obtains a judgment, your wages could be garnished as allowed by law. We would prefer to work out a plan with you.",
        False,
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: This is Kim with Harbor Collections, a debt collector. You told me a caller said you'd be arrested. That's not true: nobody can arrest you over this debt.",
        False,
    ),
    (
        [],
        "US",
        "SMS",
        "Harbor Collections: we never share your debt with your family, friends or employer. This communication is from a debt collector. Reply STOP to opt out.",
        False,
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: This is Kim with Harbor Collections, a debt collector. Your balance will not double; late fees are capped by your agreement.",
        False,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. Because of the age of your debt, we will not sue you for it, and we will not report it to any credit bureau.",
        True,
    ),
    (
        [],
        "MX",
        "SMS",
        "Recuerde: ningún gestor puede ir a su trabajo ni hablar con su familia sobre su deuda. Cobranza Integral.",
        False,
    ),
    (
        [],
        "CO",
        "CALL",
        "Agente: Don Hernán, si su esposa contesta, solo le preguntaré a qué hora puedo encontrarlo; no le diré nada de la obligación.",
        False,
    ),
    (
        [],
        "AR",
        "SMS",
        "Tu deuda no se va a publicar en ningún lado ni vamos a llamar a tus vecinos. Cobros del Plata.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "CALL",
        "Agent: If you won't set up a plan today, I'll have to call your brother and let him know what's going on with this account.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "US",
        "SMS",
        "Pay today or we'll be sending a notice to your employer. This communication is from a debt collector. Reply STOP to opt out.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "US",
        "CALL",
        "Agent: Keep ignoring us and we'll put your name and this balance up on our Facebook page for everyone to see.",
        False,
    ),
    (["HARASSMENT"], "US", "CALL", "Agent: You're a worthless deadbeat, you know that?", False),
    (["HARASSMENT"], "US", "CALL", "Agent: We know where your kids go to school. Just saying.", False),
    (
        ["MISREPRESENTATION"],
        "US",
        "CALL",
        "Agent: After this month, the law lets us charge you double. So pay now.",
        False,
    ),
    (["FALSE_LEGAL_THREAT"], "US", "CALL", "Agent: We're garnishing your paycheck starting Friday.", False),
    (
        ["THREAT_OF_ARREST"],
        "US",
        "SMS",
        "A warrant for your arrest will be issued if this balance remains unpaid. This communication is from a debt collector. Reply STOP to opt out.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "US",
        "CALL",
        "Agent: This is Deputy Harris from the county sheriff's department calling about your unpaid account.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "MX",
        "SMS",
        "Si no liquida, buscaremos a su compadre para que nos ayude a cobrarle.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "CL",
        "WHATSAPP",
        "Si no responde hoy, le vamos a mandar el detalle de la deuda a su hermana por WhatsApp.",
        False,
    ),
    (["HARASSMENT"], "PE", "CALL", "Gestor: Usted es una mentirosa, siempre promete y nunca paga.", False),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "SMS",
        "Sr. Condori: su cuenta de ahorros será embargada mañana a primera hora. Financiera Inca.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "VISIT",
        "Gestor: Si no me paga, le pinto en la pared de la casa 'aquí vive un moroso'.",
        False,
    ),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text", "time_barred"), ROUND7_BATCH6)
def test_round7_batch6_whole_messages(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel), time_barred=time_barred)}
    assert got == set(want), (text, got)


# Round 7, batch 8: whole messages across the remaining codes (ASKING_REASON only in Colombia, time-barred
# lawsuit threats, regulators as complaint channels; 19/20 right before its fix). Fix: "conversar con su mamá".
ROUND7_BATCH8: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["ASKING_REASON"],
        "CO",
        "CALL",
        "Agente: Don Iván, ¿me puede decir qué pasó que no volvió a pagar?",
        False,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "WHATSAPP",
        "Señora Luz, cuéntenos el motivo por el cual no realizó el pago de agosto.",
        False,
    ),
    (["ASKING_REASON"], "CO", "EMAIL", "Le solicitamos indicarnos las razones de su incumplimiento.", False),
    ([], "MX", "CALL", "Agente: ¿Qué pasó con el pago de este mes, don Iván? ¿Se le complicó?", False),
    ([], "CO", "CALL", "Agente: Don Iván, ¿le queda mejor pagar el 15 o el 30?", False),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. Unless we receive payment within 15 days, we will file suit against you.",
        True,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. Unless we receive payment within 15 days, we will file suit against you.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: Si no paga, el caso pasa a nuestros abogados para demandarle.",
        True,
    ),
    (
        ["IMPERSONATION"],
        "PE",
        "CALL",
        "Gestor: Le habla el especialista legal del Poder Judicial, llamo por su deuda con Financiera Inca.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "ES",
        "SMS",
        "Agencia Tributaria: tiene una deuda pendiente con Financiera Ibérica. Regularice hoy.",
        False,
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Si no está de acuerdo con nuestra gestión, puede presentar una reclamación ante el Banco de España. Gestiones Norte.",
        False,
    ),
    (
        [],
        "CL",
        "EMAIL",
        "Cobranzas Sur SpA. Puede reclamar ante el SERNAC si considera vulnerados sus derechos.",
        False,
    ),
    (
        ["FAKE_LEGAL_DOCUMENT"],
        "AR",
        "LETTER",
        "CARTA DOCUMENTO\nIntimamos a usted a abonar la suma adeudada en 48 horas bajo apercibimiento de iniciar acciones.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "Para que no se le cargue más interés, deposíteme a mi tarjeta de Banco Azteca 4152 3100 0000 1234.",
        False,
    ),
    (["HARASSMENT"], "MX", "CALL", "Agente: Ya me tiene harto, pinche moroso, pague de una vez.", False),
    (
        ["PUBLIC_SHAMING"],
        "AR",
        "VISIT",
        "Gestor: Si no pagás, la próxima vengo con el bombo y te hacemos el escrache en la puerta.",
        False,
    ),
    (
        [],
        "AR",
        "VISIT",
        "Gestor: Buenas, ¿está Lucas? Vengo de Cobros del Plata, le dejo esta tarjeta para que nos llame.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "PE",
        "CALL",
        "Gestor: Voy a tener que conversar con su mamá sobre lo que usted debe.",
        False,
    ),
    (
        ["THIRD_PARTY_DISCLOSURE"],
        "ES",
        "EMAIL",
        "Si no atiende este requerimiento, informaremos de la deuda a su arrendador.",
        False,
    ),
    (["MISREPRESENTATION"], "MX", "SMS", "Su mal historial en Buró no se borra nunca. Pague hoy.", False),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text", "time_barred"), ROUND7_BATCH8)
def test_round7_batch8_whole_messages(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = {str(c) for c in codes(text, jurisdiction, channel=Channel(channel), time_barred=time_barred)}
    assert got == set(want), (text, got)


# ---------------------------------------------------------------- round 8 (lexicon 2026.11.9)
# Sentences written for round 8 (not taken from any corpus): (want, jurisdiction, channel, text, time_barred).
# Run with the lexicon detector injected (detector=real_detect), so the statistical text model is not involved.
# Batch 1 was measured before the round-8 changes: 18/43 right (11/29 positives, 7/14 look-alikes); batch 2
# after batch 1's changes and before its own: 17/25 (8/16, 9/9). Mechanisms: US-11 reads "under review", "not
# ruled out", "can't promise you won't be sued", referral to a law firm and passive filings as suit threats,
# while "the time to sue has expired" is the lawful disclosure; company accounts (S.A.C., S.A.S., SpA, de C.V.)
# are not a person's; a court named as a suit's venue is not a caption; "solo una resolución judicial ..." is a
# true condition; "carta documento" is a postal instrument; authorities described instead of named.
ROUND8_BATCH1: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. Your account is currently under review by our legal department.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. We have not ruled out legal action on this balance.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: Honestly, we haven't decided yet whether to sue on this one.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. Your file has been flagged for possible litigation.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: We're evaluating whether to refer your account to a law firm in your state.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: I can't promise you won't be sued if this stays open.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. A civil complaint may be filed against you if the balance remains unpaid.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: We're filing this in small claims court at the end of the month.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "This communication is from a debt collector. The creditor has instructed us to commence proceedings unless you call within 10 days.",
        True,
    ),
    (["TIME_BARRED_THREAT"], "US", "CALL", "Agente: Si no paga este mes, su cuenta pasará a juicio.", True),
    (["TIME_BARRED_THREAT"], "US", "CALL", "Agente: No descartamos demandarla por este saldo.", True),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "LETTER",
        "Esta comunicación proviene de un cobrador de deudas. Su expediente está en revisión por nuestro departamento legal.",
        True,
    ),
    (["TIME_BARRED_THREAT"], "US", "CALL", "Agente: Estamos evaluando mandar su caso a un abogado.", True),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. The law limits how long you can be sued on a debt. Because of the age of this debt, our client cannot sue you for it.",
        True,
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. We will not take you to court over this debt since the deadline to file a lawsuit has passed. Reply STOP to opt out.",
        True,
    ),
    (
        [],
        "US",
        "CALL",
        "Agent: Because the limitations period has run, you can't be sued for this account.",
        True,
    ),
    (
        [],
        "US",
        "CALL",
        "Agente: Por la antigüedad de la deuda no podemos demandarle, porque el plazo para demandar ya venció.",
        True,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. Our legal department has reviewed this account and confirmed that no lawsuit will be filed.",
        True,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. A civil complaint may be filed against you in the District Court for Harris County if the balance remains unpaid.",
        False,
    ),
    (
        [],
        "PE",
        "WHATSAPP",
        "Puedes pagar en la cuenta del BCP a nombre de Inversiones Sur Andino S.A.C. con tu DNI.",
        False,
    ),
    (
        [],
        "MX",
        "SMS",
        "Transfiera a la CLABE 0121 8000 1234 5678 90 a nombre de Crédito Norte Plus S.A. de C.V.",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Consigne en la cuenta de ahorros a nombre de Recaudos Andinos Pro S.A.S. y envíenos el soporte.",
        False,
    ),
    (
        [],
        "CL",
        "EMAIL",
        "Transfiera a la cuenta corriente a nombre de Cobranzas Valle Central SpA, RUT 76.123.456-7.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "WHATSAPP",
        "Deposita en la cuenta a nombre de Rosa Quispe Mamani, es mi asistente.",
        False,
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Esta carta es extrajudicial. Solo una resolución judicial firme permitiría un embargo de su nómina.",
        False,
    ),
    (
        [],
        "AR",
        "LETTER",
        "CARTA DOCUMENTO\nIntimamos a usted a regularizar el saldo de su tarjeta en 10 días. Caso contrario, quedará habilitada la vía judicial.",
        False,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. If our client files a claim, it would be heard in the County Court for Dade County.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "MX",
        "CALL",
        "Agente: Le llamo de la comisión del gobierno que vigila a los bancos, por su adeudo.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "US",
        "CALL",
        "Agent: I'm calling as an officer assigned by the Department of the Treasury about your balance.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "CO",
        "CALL",
        "Agente: Le hablamos de la entidad del Estado que supervisa a las financieras.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "PE",
        "VISIT",
        "Gestor: La próxima no vengo yo, viene la patrulla a llevárselo.",
        False,
    ),
    (
        ["MISREPRESENTATION"],
        "MX",
        "WHATSAPP",
        "Ese reporte en buró ya no se le quita nunca, piénselo.",
        False,
    ),
    (["MISREPRESENTATION"], "AR", "WHATSAPP", "Una vez en el Veraz no salís nunca más, eh.", False),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "EMAIL",
        "La retención de los fondos de su cuenta ya está en trámite y se aplicará esta semana.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "SMS",
        "Desde el mes que viene se le va a descontar la deuda directamente del sueldo.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "SMS",
        "El próximo mes se le descontará lo adeudado de su remuneración.",
        False,
    ),
    (["ASKING_REASON"], "CO", "VOICEMAIL", "Por favor llámenos y explíquenos por qué dejó de pagar.", False),
    ([], "MX", "VOICEMAIL", "Por favor llámenos y explíquenos por qué dejó de pagar.", False),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "CALL",
        "Agente: Yapéame los 300 soles a mi número y hoy mismo cancelamos.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "CALL",
        "Agente: Mándeme la plata por Nequi a mi celular y yo le hago el abono.",
        False,
    ),
    (
        ["HARASSMENT"],
        "ES",
        "WHATSAPP",
        "Desde mañana tendrá a un gestor esperándole en el portal cada día hasta que pague.",
        False,
    ),
    (
        ["HARASSMENT"],
        "MX",
        "SMS",
        "Vamos a tener a alguien afuera de su casa todas las mañanas hasta que liquide.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "VISIT",
        "Gestor: desde hoy le seguirá por la calle nuestro compañero vestido de frac hasta que pague.",
        False,
    ),
]
ROUND8_BATCH2: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["THREAT_OF_ARREST"],
        "MX",
        "VISIT",
        "Gestor: Mañana ya no le toca a usted hablar conmigo, le va a caer la patrulla a su casa.",
        False,
    ),
    (
        ["THREAT_OF_ARREST"],
        "CL",
        "VISIT",
        "Cobrador: Yo no vuelvo más, la próxima vienen los carabineros a buscarlo.",
        False,
    ),
    (
        [],
        "MX",
        "CALL",
        "Agente: Nadie va a ir por usted, ni la patrulla ni nadie; sólo queremos un acuerdo.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "EMAIL",
        "El congelamiento de su cuenta de ahorros ya está en trámite y se hará efectivo el lunes.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "SMS",
        "A partir de diciembre se le debitará lo adeudado directamente de sus haberes.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "SMS",
        "Desde el próximo mes se le descontará la deuda de su planilla.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "SMS",
        "La semana que viene se le retendrá la nómina para saldar la deuda.",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Si usted lo autoriza por escrito, podemos programar un descuento de nómina con su empleador.",
        False,
    ),
    (
        [],
        "AR",
        "SMS",
        "Podés adherirte al débito automático de tu cuenta sueldo para pagar las cuotas del plan.",
        False,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "VOICEMAIL",
        "Devuélvanos la llamada y cuéntenos por qué dejó de pagar, para ofrecerle una alternativa.",
        False,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "SMS",
        "Señor Pérez, indíquenos el motivo por el cual no ha pagado su cuota.",
        False,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "CALL",
        "Agente: Necesito que me explique qué lo llevó a dejar de pagar.",
        False,
    ),
    (
        [],
        "PE",
        "VOICEMAIL",
        "Devuélvanos la llamada y cuéntenos por qué dejó de pagar, para ofrecerle una alternativa.",
        False,
    ),
    ([], "CO", "SMS", "Cuéntenos qué fecha le queda mejor para pagar su cuota.", False),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "VISIT",
        "Agent: I'm supposed to tell you the account goes to our attorney next week unless you set up a plan today.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "EMAIL",
        "This communication is from a debt collector. Litigation remains an option for our client. Reply STOP to opt out.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "SMS",
        "This communication is from a debt collector. Legal options are being considered on your account. Reply STOP to opt out.",
        True,
    ),
    (
        [],
        "US",
        "SMS",
        "This communication is from a debt collector. Because of its age, you will not be sued on this debt. Reply STOP to opt out.",
        True,
    ),
    (
        [],
        "US",
        "LETTER",
        "This communication is from a debt collector. We are not allowed to sue you for this debt, and we will not report it to the credit bureaus.",
        True,
    ),
    (
        ["IMPERSONATION"],
        "AR",
        "CALL",
        "Agente: Le hablo del organismo nacional que controla a las tarjetas de crédito.",
        False,
    ),
    (
        ["IMPERSONATION"],
        "US",
        "CALL",
        "Agent: This is the federal agency that oversees consumer loans calling about your balance.",
        False,
    ),
    (
        [],
        "MX",
        "LETTER",
        "Somos una entidad supervisada por la comisión que vigila a los bancos; puede presentar quejas ante CONDUSEF.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "CALL",
        "Agente: Plinéame ahorita los 150 al 987 654 321, que es mi número.",
        False,
    ),
    (
        [],
        "PE",
        "SMS",
        "Puedes pagar por Yape al número oficial de Financiera Andes S.A.C. que figura en tu contrato.",
        False,
    ),
]
# Known miss: "lo llama la policía" read as the sender claiming to be the police as well as an arrest threat.
ROUND8_KNOWN_MISSES: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["THREAT_OF_ARREST"],
        "CO",
        "CALL",
        "Agente: La próxima vez no lo llamo yo, lo llama la policía para llevárselo.",
        False,
    ),
]


def _round8_codes(text: str, jurisdiction: str, channel: str, time_barred: bool) -> set[str]:
    report = check_text(
        text,
        channel=Channel(channel),
        jurisdiction=jurisdiction,
        packs=REG,
        time_barred=time_barred,
        check_required=False,
        detector=real_detect,
    )
    return {str(v.code) for v in report.violations}


@pytest.mark.parametrize(
    ("want", "jurisdiction", "channel", "text", "time_barred"), ROUND8_BATCH1 + ROUND8_BATCH2
)
def test_round8_whole_messages(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = _round8_codes(text, jurisdiction, channel, time_barred)
    assert got == set(want), (text, got)


@pytest.mark.xfail(strict=True, reason="future 'lo llama la policía' also read as an authority claim")
@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text", "time_barred"), ROUND8_KNOWN_MISSES)
def test_round8_known_misses(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    assert _round8_codes(text, jurisdiction, channel, time_barred) == set(want)


# ---------------------------------------------------------------- round 9 (lexicon 2026.11.10)
# Sentences written for round 9 (not taken from any corpus): (want, jurisdiction, channel, text, time_barred),
# run with the lexicon detector injected (detector=real_detect), so the statistical text model is not involved.
# Batch 1 was measured before the round-9 changes: 15/32 right (10/24 positives, 5/8 look-alikes); batch 2
# after batch 1's changes and before its own: 22/23 (15/16, 7/7). Mechanisms: a person named as holder of the
# account ("titular: ...", "a la cuenta de <Name>", wallet number followed by a name) unless the name is the
# company used elsewhere in the text; cash taken by the collector; Colombian "¿a qué se debe que ... sin
# abonar?", "¿por qué no ha vuelto a ...?"; knowing the debtor's or the family's routine; costumed or stationed
# collectors at the door; bank accounts frozen or blocked and "inhibición general de bienes"; US-11 "if ...
# isn't paid ... we will sue" (a negated payment after a conditional is the condition) and "filed in court";
# fraud warnings about impostors; forwarded messages disowned; the court named in a true condition; speaker
# labels (a hit never runs into the next turn; a neighbour's "¿es por una deuda?" is not the collector's).
ROUND9_BATCH1: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "SMS",
        "Deposite hoy en OXXO a la tarjeta 4152 3100 2233 8899 a nombre de Rocío Fuentes y mande foto del ticket.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "Para liquidar, transfiera a la CLABE 072180001122334455, titular Jorge Ibarra, y me manda el comprobante.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "VISIT",
        "Si quiere, yo me llevo ahorita el efectivo y mañana se lo abono en el sistema, le dejo un recibo firmado.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "WHATSAPP",
        "Me plinea los S/ 400 al 955 123 456 (Carla R.) y hoy mismo le cierro la deuda.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "SMS",
        "Consigne los 300 mil a mi Nequi 310 222 3344 y le paso el paz y salvo.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "VOICEMAIL",
        "Le dejo el dato: haga el depósito en Elektra a la cuenta de Marco Salinas y nos marca.",
        False,
    ),
    (
        ["ASKING_REASON"],
        "CO",
        "CALL",
        "Agente: ¿A qué se debe que no haya pagado las últimas dos cuotas?",
        False,
    ),
    (["ASKING_REASON"], "CO", "WHATSAPP", "Don Hernán, ¿qué pasó que dejó de consignar desde enero?", False),
    (
        ["ASKING_REASON"],
        "CO",
        "SMS",
        "¿Por qué no ha vuelto a abonar a su crédito? Respóndanos por este medio.",
        False,
    ),
    (
        ["HARASSMENT"],
        "MX",
        "VOICEMAIL",
        "Ya sabemos a qué hora sale su esposa del trabajo. Piénselo bien.",
        False,
    ),
    (["HARASSMENT"], "CL", "CALL", "Agente: Sabemos en qué colegio estudia su hijo, don Pedro.", False),
    (["HARASSMENT"], "PE", "WHATSAPP", "ya sé dónde vives causa, duerme tranquilo nomás", False),
    (["HARASSMENT"], "AR", "WHATSAPP", "Sabemos dónde laburás y a qué hora salís, pensalo.", False),
    (
        ["HARASSMENT"],
        "US",
        "CALL",
        "Agent: We know which bus you take to work every morning, Mr. Diaz.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "ES",
        "VISIT",
        "Si no paga, mañana un cobrador vestido de frac se plantará en la puerta de su casa a la vista de los vecinos.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "PE",
        "VISIT",
        "El lunes vienen nuestros chicos disfrazados y se paran frente a su tienda todo el día.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "MX",
        "VISIT",
        "Vamos a mandar a unos compañeros con chalecos de cobranza a pararse afuera de su negocio.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "ES",
        "CALL",
        "Agente: Hemos dado instrucciones a su banco para que le bloqueen las cuentas el viernes.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "SMS",
        "This communication is from a debt collector. Your checking account will be frozen on Friday. Reply STOP to opt out.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "SMS",
        "Su cuenta de nómina será congelada el lunes por el adeudo con Banco Sol.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "AR",
        "EMAIL",
        "Le comunicamos que ya se dispuso la inhibición general de bienes a su nombre.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "SMS",
        "Sus cuentas bancarias quedarán retenidas desde mañana por su deuda con Casa Norte.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "SMS",
        "This communication is from a debt collector. If the balance on your Apex card isn't paid by Monday we will sue you. Reply STOP to opt out.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT", "VOICEMAIL_CONTENT"],
        "US",
        "VOICEMAIL",
        "This communication is from a debt collector. If we don't hear from you, this account will be filed in court.",
        True,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Alerta: hay personas que se hacen pasar por asesores y piden transferencias a cuentas Nequi personales. Nunca le pediremos eso.",
        False,
    ),
    (
        [],
        "US",
        "EMAIL",
        "This communication is from a debt collector. Scammers pretending to be us may ask you to pay to a personal Venmo account; we never will. Reply STOP to opt out.",
        False,
    ),
    (
        [],
        "AR",
        "WHATSAPP",
        'Lucas, el audio que nos reenviaste ("te vas a ir preso") no es nuestro y es falso. Tu saldo es $ 80.000.',
        False,
    ),
    (
        [],
        "PE",
        "EMAIL",
        "Si no llegamos a un acuerdo, la financiera podrá demandar, en cuyo caso usted sería notificado por el Poder Judicial.",
        False,
    ),
    (
        [],
        "US",
        "CALL",
        "AGENT: I'm trying to reach Ana Cruz. Can you give me a good number for her?\nCALLER: Why?\nAGENT: It's a personal matter. Thanks.",
        False,
    ),
    (
        [],
        "CL",
        "CALL",
        "AGENTE: ¿Se encuentra don Mario?\nVECINO: No está. ¿Es por una deuda?\nAGENTE: Es un asunto personal. Gracias.",
        False,
    ),
    (
        [],
        "MX",
        "CALL",
        "Agente: ¿Le parece si mañana le marco a las dos de la tarde, cuando salga de su trabajo?",
        False,
    ),
    (
        [],
        "ES",
        "EMAIL",
        "Si no regulariza la deuda, la entidad podría solicitar al juez el embargo de sus cuentas, previa sentencia.",
        False,
    ),
]
ROUND9_BATCH2: list[tuple[list[str], str, str, str, bool]] = [
    (
        ["PAYMENT_DESTINATION"],
        "MX",
        "WHATSAPP",
        "Le paso los datos: tarjeta Banamex 5204 1650 3321 0098, beneficiaria Lucía Campos. Ya con eso queda.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "CO",
        "WHATSAPP",
        "Hágame el favor y me pasa la cuota por Nequi al 320 555 1122 y yo la aplico.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "PE",
        "CALL",
        "Agente: Yapéame nomás los 200 al 912 345 678 y ya te bajo el reporte.",
        False,
    ),
    (
        ["PAYMENT_DESTINATION"],
        "AR",
        "WHATSAPP",
        "Transferime a la cuenta de Diego Ferrari, alias diego.ferrari.mp, y te mando el libre deuda.",
        False,
    ),
    (["ASKING_REASON"], "CO", "CALL", "Agente: Cuénteme, ¿por qué no ha vuelto a pagar la tarjeta?", False),
    (["ASKING_REASON"], "CO", "WHATSAPP", "¿Qué pasó que ya no volvió a abonar, doña Gloria?", False),
    (["HARASSMENT"], "CL", "WHATSAPP", "Sabemos a qué hora sale su hija del liceo, don Jorge.", False),
    (["HARASSMENT"], "MX", "CALL", "Agente: Ya sé dónde vive, eh. Usted sabrá lo que hace.", False),
    (
        ["HARASSMENT"],
        "US",
        "SMS",
        "We know what time you get home, Tom. Think about it. Reply STOP to opt out.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "CO",
        "VISIT",
        "Mañana llegan dos compañeros disfrazados de payaso a la puerta de su negocio.",
        False,
    ),
    (
        ["PUBLIC_SHAMING"],
        "AR",
        "VISIT",
        "Si no arreglás, el lunes un cobrador se va a quedar en la puerta de tu casa todo el día.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "CO",
        "SMS",
        "Su cuenta de ahorros será congelada este viernes por la deuda con CrediYa.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "PE",
        "SMS",
        "Hemos solicitado a su banco la retención de su cuenta sueldo a partir del lunes.",
        False,
    ),
    (
        ["FALSE_LEGAL_THREAT"],
        "US",
        "CALL",
        "Agent: We're going to freeze your bank account this week.",
        False,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "EMAIL",
        "This communication is from a debt collector. If the $900 balance on your account is not paid in full by the 15th, we will file suit. Reply STOP to opt out.",
        True,
    ),
    (
        ["TIME_BARRED_THREAT"],
        "US",
        "CALL",
        "Agent: Your account is going to be sent to court next week.",
        True,
    ),
    (
        [],
        "MX",
        "EMAIL",
        "Aviso de fraude: personas que dicen ser de nuestro despacho piden depósitos a tarjetas personales. No deposite; pague solo en ventanilla de Banco Sol.",
        False,
    ),
    (
        [],
        "PE",
        "WHATSAPP",
        "Ese audio que le llegó ('te vamos a embargar la casa') no es nuestro. Nosotros no enviamos esos mensajes.",
        False,
    ),
    (
        [],
        "US",
        "SMS",
        "Fraud alert: people pretending to be our collectors may ask you to Zelle money to a personal account. Pay only at our website. Reply STOP to opt out.",
        False,
    ),
    (
        [],
        "ES",
        "CALL",
        "AGENTE: ¿Está doña Pilar?\nHERMANA: No, soy su hermana. ¿Es por una deuda?\nAGENTE: Es un tema personal, gracias.",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Si no se llega a un acuerdo, el banco podría demandar y en ese caso el juzgado le notificaría la demanda.",
        False,
    ),
    (
        [],
        "MX",
        "CALL",
        "Agente: ¿Me podría decir a qué hora sale de su trabajo para llamarle con calma?",
        False,
    ),
    (
        [],
        "CO",
        "EMAIL",
        "Puede consignar en la cuenta de ahorros de Banco Pacífico a nombre de Banco Pacífico S.A.",
        False,
    ),
]


@pytest.mark.parametrize(
    ("want", "jurisdiction", "channel", "text", "time_barred"), ROUND9_BATCH1 + ROUND9_BATCH2
)
def test_round9_whole_messages(
    want: list[str], jurisdiction: str, channel: str, text: str, time_barred: bool
) -> None:
    got = _round8_codes(text, jurisdiction, channel, time_barred)
    assert got == set(want), (text, got)


def test_round9_other_speaker_debt_mention_is_not_a_disclosure() -> None:
    text = "AGENTE: ¿Se encuentra Raúl?\nVECINO: No. ¿Es por una deuda?\nAGENTE: Es personal, gracias."
    report = check_text(
        text,
        channel=Channel.CALL,
        jurisdiction="CL",
        packs=REG,
        recipient_role="OTHER",
        check_required=False,
        detector=real_detect,
    )
    assert {str(v.code) for v in report.violations} == set()


# round 10: lawful mentions of arrest, seizure, authorities and accounts with the lexicon alone (own sentences)
ROUND10_LEXICON: list[tuple[list[str], str, str, str]] = [
    ([], "MX", "CALL", "DEUDOR: ¿Me meten al reclusorio? AGENTE: No, en México no hay prisión por deudas."),
    (
        [],
        "PE",
        "CALL",
        "CLIENTA: ¿Voy a terminar presa? ASESOR: No, señora; solo un juez podría ordenar un embargo.",
    ),
    ([], "US-NY", "CALL", "DEBTOR: Can they arrest me? AGENT: No, you cannot be arrested over this balance."),
    (["THREAT_OF_ARREST"], "AR", "CALL", "DEUDOR: No puedo pagar. AGENTE: Entonces vas a terminar preso."),
    ([], "PE", "WHATSAPP", "Tu descuento ya está aprobado: paga S/ 500 en cualquier agencia de la caja."),
    (
        ["FALSE_LEGAL_THREAT"],
        "MX",
        "SMS",
        "El descuento de su nómina ya está autorizado desde esta quincena.",
    ),
    (
        [],
        "MX",
        "SMS",
        "CONDUSEF no cobra deudas. Si alguien le llama diciendo ser de CONDUSEF, es un fraude.",
    ),
    (["IMPERSONATION"], "MX", "CALL", "Le hablamos de CONDUSEF por su adeudo con Banco Azul."),
    (["THREAT_OF_ARREST"], "PE", "SMS", "Se procederá con la denuncia y su captura si no paga hoy."),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text"), ROUND10_LEXICON)
def test_round10_lexicon_alone(want: list[str], jurisdiction: str, channel: str, text: str) -> None:
    report = check_text(
        text,
        channel=Channel(channel),
        jurisdiction=jurisdiction,
        packs=REG,
        check_required=False,
        use_model=False,
    )
    got = {str(v.code) for v in report.violations}
    assert got == set(want), (text, got)


# round 11: v10 misses and false positives, fixed by mechanism; the lexicon alone, exact codes
ROUND11_LEXICON: list[tuple[list[str], str, str, str]] = [
    (["THREAT_OF_ARREST"], "CO", "WHATSAPP", "Siga así y un día le cae la policía a la oficina."),
    (["THREAT_OF_ARREST"], "AR", "CALL", "Mirá, ya salió el pedido de captura, arreglá hoy."),
    (["THREAT_OF_ARREST"], "US", "SMS", "Skip this payment and a patrol car may come for you tonight."),
    (["IMPERSONATION"], "ES", "CALL", "Le llamo de la comisaría de Vallecas por un asunto de una deuda."),
    (["THIRD_PARTY_DISCLOSURE"], "MX", "WHATSAPP", "Pague hoy o se enteran sus suegros de lo que debe."),
    (
        ["FALSE_LEGAL_THREAT"],
        "CL",
        "EMAIL",
        "Girar cheques sabiendo que no los iba a pagar constituye delito de estafa.",
    ),
    (
        ["MISREPRESENTATION"],
        "US",
        "LETTER",
        "Under federal law the remaining balance on your store account doubles.",
    ),
    ([], "US", "SMS", "Your court date? None. We are not filing anything."),
    (
        [],
        "ES",
        "EMAIL",
        "Asunto: Procedimiento monitorio\nEste correo no es una notificación judicial. Llámenos.",
    ),
]


@pytest.mark.parametrize(("want", "jurisdiction", "channel", "text"), ROUND11_LEXICON)
def test_round11_lexicon_alone(want: list[str], jurisdiction: str, channel: str, text: str) -> None:
    report = check_text(
        text,
        channel=Channel(channel),
        jurisdiction=jurisdiction,
        packs=REG,
        check_required=False,
        use_model=False,
    )
    got = {str(v.code) for v in report.violations}
    assert got == set(want), (text, got)


def test_round11_reference_told_of_an_unpaid_card() -> None:
    text = "Te comento que Julián tiene la tarjeta de Caja Norte impaga desde agosto; avisale que nos llame."
    report = check_text(
        text,
        channel=Channel.CALL,
        jurisdiction="AR",
        packs=REG,
        recipient_role=RecipientRole.REFERENCE,
        check_required=False,
        use_model=False,
    )
    assert C.THIRD_PARTY_DISCLOSURE in {v.code for v in report.violations}
