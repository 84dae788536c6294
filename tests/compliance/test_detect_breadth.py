"""Breadth of the lexicon: families of phrasing per signal across MX, CO, CL, PE, ES, AR Spanish and US English.

Every text here was written for this table (not taken from the labelled corpus): regional slang, verb tenses
and moods (future, "va a", present-for-future, passive, imperative), object pronouns and voseo, missing
accents, ALL CAPS and Spanish/English mixing. The NEGATIVE table holds look-alikes that must stay clean.
"""

from __future__ import annotations

import pytest

from asistente.compliance.detect import detect


def signals(text: str) -> set[str]:
    return {d.signal for d in detect(text)}


POSITIVE: list[tuple[str, str]] = [
    # ---------------------------------------------------------------- ARREST_THREAT: jail, slang, police
    ("ARREST_THREAT", "Te van a refundir en el bote, así de fácil."),  # MX
    ("ARREST_THREAT", "Lo van a encanar si no paga."),  # AR
    ("ARREST_THREAT", "Vos vas a ir preso, flaco."),  # AR voseo
    ("ARREST_THREAT", "Te van a meter en cana."),  # AR
    ("ARREST_THREAT", "Los tombos te van a chapar en tu casa."),  # PE
    ("ARREST_THREAT", "Va a pasar la noche en el calabozo."),
    ("ARREST_THREAT", "vas a terminar en el tambo"),  # MX
    ("ARREST_THREAT", "Vas a ver el sol a cuadritos."),  # MX/CO idiom
    ("ARREST_THREAT", "Usted será detenido en las próximas horas."),  # passive
    ("ARREST_THREAT", "SERA DETENIDO EN SU DOMICILIO"),  # caps, no accent
    ("ARREST_THREAT", "La policía lo detendrá en su trabajo."),
    ("ARREST_THREAT", "Los carabineros lo van a ir a buscar a su casa."),  # CL
    ("ARREST_THREAT", "La Guardia Civil irá a detenerle."),  # ES
    ("ARREST_THREAT", "Le van a esposar delante de sus hijos."),
    ("ARREST_THREAT", "Se solicitará su detención al juez."),
    ("ARREST_THREAT", "Su impago puede acarrear la detención inmediata."),
    ("ARREST_THREAT", "La próxima vez viene la patrulla por usted."),
    ("ARREST_THREAT", "La policía puede pasar por usted en cualquier momento."),
    ("ARREST_THREAT", "Te va a caer la policía."),
    ("ARREST_THREAT", "Te vamos a mandar a los pacos."),  # CL
    ("ARREST_THREAT", "Acabarás entre rejas."),
    ("ARREST_THREAT", "Te llevan detenido mañana."),
    ("ARREST_THREAT", "lo van a meter al reclusorio"),
    ("ARREST_THREAT", "Mañana lo levantan y se lo llevan detenido."),
    ("ARREST_THREAT", "La PDI lo va a detener."),  # CL
    ("ARREST_THREAT", "La gendarmería lo va a ir a buscar."),  # AR
    ("ARREST_THREAT", "We'll have you locked up."),
    ("ARREST_THREAT", "They're going to put you away for this."),
    ("ARREST_THREAT", "The cops will be at your door tonight."),
    ("ARREST_THREAT", "You will be taken into custody."),
    ("ARREST_THREAT", "You're going to jail, buddy."),
    ("ARREST_THREAT", "The sheriff is coming to arrest you."),
    ("ARREST_THREAT", "You could end up behind bars."),
    ("ARREST_THREAT", "You will be detained at work."),
    ("ARREST_THREAT", "La policía va a arrest you mañana."),  # mixed
    ("ARREST_THREAT", "Vamos a llamar a los cops."),  # mixed
    # ---------------------------------------------------------------- CRIMINAL_ACCUSATION
    ("CRIMINAL_ACCUSATION", "Lo vamos a denunciar por estafa."),
    ("CRIMINAL_ACCUSATION", "Incurre usted en el delito de fraude."),
    ("CRIMINAL_ACCUSATION", "Le abriremos una carpeta de investigación."),
    ("CRIMINAL_ACCUSATION", "Le vamos a poner una denuncia penal."),
    ("CRIMINAL_ACCUSATION", "Su caso pasa a lo penal."),
    ("CRIMINAL_ACCUSATION", "Lo que usted hace se llama estafa."),
    ("CRIMINAL_ACCUSATION", "Lo vamos a denunciar ante el Ministerio Público."),
    ("CRIMINAL_ACCUSATION", "Te denunciamos en la fiscalía por fraude."),
    ("CRIMINAL_ACCUSATION", "Your nonpayment is considered theft."),
    ("CRIMINAL_ACCUSATION", "You'll be charged with theft of services."),
    ("CRIMINAL_ACCUSATION", "You will face criminal charges."),
    ("CRIMINAL_ACCUSATION", "We're going to report you to the police for fraud."),
    # ---------------------------------------------------------------- SEIZURE_THREAT
    ("SEIZURE_THREAT", "Nos vamos a llevar su carro."),
    ("SEIZURE_THREAT", "Vamos a rematar sus bienes."),
    ("SEIZURE_THREAT", "Le van a sacar las cosas de la casa."),
    ("SEIZURE_THREAT", "Te vamos a dejar sin nada."),
    ("SEIZURE_THREAT", "Le vamos a descontar de su quincena."),
    ("SEIZURE_THREAT", "Pasaremos a recoger el vehículo el lunes."),
    ("SEIZURE_THREAT", "Mañana pasa el camión a llevarse sus muebles."),
    ("SEIZURE_THREAT", "Se va a quedar en la calle."),
    ("SEIZURE_THREAT", "Vos vas a perder el auto."),
    ("SEIZURE_THREAT", "Usted perderá su casa."),
    ("SEIZURE_THREAT", "Le secuestramos el auto la semana que viene."),  # AR secuestro prendario
    ("SEIZURE_THREAT", "Le vamos a ejecutar la hipoteca."),  # ES
    ("SEIZURE_THREAT", "Vamos a trabar embargo sobre su cuenta."),
    ("SEIZURE_THREAT", "EMBARGAREMOS TU SUELDO"),
    ("SEIZURE_THREAT", "We're going to repossess your car tomorrow."),
    ("SEIZURE_THREAT", "We'll take your truck."),
    ("SEIZURE_THREAT", "Your wages will be garnished starting Friday."),
    ("SEIZURE_THREAT", "You will lose your house."),
    ("SEIZURE_THREAT", "We'll put a lien on your house."),
    # ---------------------------------------------------------------- LAWSUIT_THREAT
    ("LAWSUIT_THREAT", "Te vamos a hacer juicio."),  # AR
    ("LAWSUIT_THREAT", "Iniciaremos un juicio ejecutivo en su contra."),
    ("LAWSUIT_THREAT", "Lo demandamos la semana que viene."),
    ("LAWSUIT_THREAT", "Su cuenta pasa a cobro jurídico."),  # CO
    ("LAWSUIT_THREAT", "We're filing suit against you."),
    ("LAWSUIT_THREAT", "We will take you to court."),
    # ---------------------------------------------------------------- FAKE_COURT_DOCUMENT per country
    ("FAKE_COURT_DOCUMENT", "CITATORIO. Se le cita a las 10:00 horas."),  # MX
    ("FAKE_COURT_DOCUMENT", "Juzgado Tercero de lo Civil, Expediente 123/2026."),  # MX
    ("FAKE_COURT_DOCUMENT", "RAMA JUDICIAL. Radicado No. 11001-40-03-012-2026-00123."),  # CO
    ("FAKE_COURT_DOCUMENT", "Se libra mandamiento de pago en su contra."),  # CO
    ("FAKE_COURT_DOCUMENT", "Causa Rol C-123-2026, Juzgado de Letras de Temuco."),  # CL
    ("FAKE_COURT_DOCUMENT", "El receptor judicial lo notificará de la demanda ejecutiva."),  # CL
    ("FAKE_COURT_DOCUMENT", "Juzgado de Paz Letrado de Surco. Resolución número uno."),  # PE
    ("FAKE_COURT_DOCUMENT", "Juzgado de Primera Instancia nº 3 de Valencia. Procedimiento monitorio."),  # ES
    ("FAKE_COURT_DOCUMENT", "Diligencia de ordenación: se requiere al deudor."),  # ES
    ("FAKE_COURT_DOCUMENT", "Autos caratulados: Banco Sur c/ Pérez s/ ejecutivo."),  # AR
    ("FAKE_COURT_DOCUMENT", "Juzgado Nacional en lo Civil N° 14."),  # AR
    ("FAKE_COURT_DOCUMENT", "SUMMONS: you are ordered to appear."),
    ("FAKE_COURT_DOCUMENT", "In the Circuit Court of Cook County, Case No. 2026-M1-1234."),
    ("FAKE_COURT_DOCUMENT", "NOTICE OF LAWSUIT"),
    # ---------------------------------------------------------------- AUTHORITY_IMPERSONATION
    ("AUTHORITY_IMPERSONATION", "Le llamamos de la Superintendencia Financiera."),  # CO
    ("AUTHORITY_IMPERSONATION", "Habla el fiscal Gómez."),
    ("AUTHORITY_IMPERSONATION", "Somos de la Policía Nacional."),
    ("AUTHORITY_IMPERSONATION", "Le escribe la SBS: regularice su deuda."),  # PE
    ("AUTHORITY_IMPERSONATION", "Este es un mensaje del Banco de España."),  # ES
    ("AUTHORITY_IMPERSONATION", "Comunicado oficial de SERNAC."),  # CL
    ("AUTHORITY_IMPERSONATION", "Soy agente del MP."),  # MX
    ("AUTHORITY_IMPERSONATION", "Lo llamo del Juzgado Civil."),
    ("AUTHORITY_IMPERSONATION", "Le habla el secretario del juzgado."),
    ("AUTHORITY_IMPERSONATION", "Le habla el actuario."),
    ("AUTHORITY_IMPERSONATION", "Le contactamos de la Gendarmería Nacional."),  # AR
    ("AUTHORITY_IMPERSONATION", "Llamamos de la Superintendencia de Industria y Comercio."),  # CO
    ("AUTHORITY_IMPERSONATION", "le hablamos de la cmf"),  # CL
    ("AUTHORITY_IMPERSONATION", "Somos del BCRA."),  # AR
    ("AUTHORITY_IMPERSONATION", "This is Officer Daniels with the county sheriff."),
    ("AUTHORITY_IMPERSONATION", "I'm calling from the District Attorney's office."),
    ("AUTHORITY_IMPERSONATION", "This is Agent Brown from the FBI."),
    ("AUTHORITY_IMPERSONATION", "We're with the IRS."),
    ("AUTHORITY_IMPERSONATION", "This is the U.S. Marshals."),
    # ---------------------------------------------------------------- INSULT: addressed to the person
    ("INSULT", "Usted es un moroso."),
    ("INSULT", "Eres una morosa irresponsable."),
    ("INSULT", "Moroso de mierda, pague."),
    ("INSULT", "Oiga, usted es un fresco."),  # CL
    ("INSULT", "Sos un garca."),  # AR
    ("INSULT", "No sea patudo."),  # CL
    ("INSULT", "Qué caradura es usted."),
    ("INSULT", "Es usted un sinvergüenza."),
    ("INSULT", "malparido, pague lo que debe"),  # CO
    ("INSULT", "Pagá, pelotudo."),  # AR
    ("INSULT", "No te hagas el gil."),  # AR
    ("INSULT", "ERES UN VAGO"),
    ("INSULT", "Pay up, you lowlife."),
    ("INSULT", "You're a deadbeat."),
    # ---------------------------------------------------------------- INTIMIDATION
    ("INTIMIDATION", "No va a tener ni un minuto de paz."),
    ("INTIMIDATION", "Vamos a seguir llamándole cada hora."),
    ("INTIMIDATION", "Le vamos a reventar el teléfono."),
    ("INTIMIDATION", "Ándese con cuidado."),
    ("INTIMIDATION", "Te vas a acordar de mí."),
    ("INTIMIDATION", "Le caemos en su casa cuando menos lo espere."),
    ("INTIMIDATION", "Conocemos a su familia y sabemos dónde trabaja su esposa."),
    ("INTIMIDATION", "Te vamos a hacer la vida imposible."),
    ("INTIMIDATION", "You'd better watch yourself."),
    ("INTIMIDATION", "We're going to blow up your phone."),
    ("INTIMIDATION", "It would be a shame if something happened to your car."),
    # ---------------------------------------------------------------- PUBLIC_SHAMING
    ("PUBLIC_SHAMING", "Su nombre será publicado en nuestro listado de deudores."),
    ("PUBLIC_SHAMING", "Venimos con un cartel que diga MOROSO."),
    ("PUBLIC_SHAMING", "Te vamos a funar en redes."),  # CL
    ("PUBLIC_SHAMING", "Lo vamos a ventanear en Facebook."),  # MX
    ("PUBLIC_SHAMING", "Pondremos un aviso en el diario con su nombre."),
    ("PUBLIC_SHAMING", "We'll put your name up on our website."),
    ("PUBLIC_SHAMING", "Your name will be published in the paper."),
    ("PUBLIC_SHAMING", "We'll blast you on social media."),
    # ---------------------------------------------------------------- THIRD_PARTY_DISCLOSURE_THREAT
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Si no me contesta, llamo a su jefe."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Le cuento a tu vieja lo que debés."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Vamos a comunicarnos con sus referencias."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Mañana voy a tu trabajo a hablar con tu jefe."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "We'll be reaching out to your employer."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "I'm calling your job tomorrow."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Your wife is gonna hear about this."),
    # ---------------------------------------------------------------- PERMANENT_CREDIT_DAMAGE
    ("PERMANENT_CREDIT_DAMAGE", "Vas a quedar en DICOM para siempre."),
    ("PERMANENT_CREDIT_DAMAGE", "Vas a estar en Infocorp toda tu vida."),
    ("PERMANENT_CREDIT_DAMAGE", "Ningún banco te va a dar crédito nunca."),
    ("PERMANENT_CREDIT_DAMAGE", "This will follow you for the rest of your life."),
    ("PERMANENT_CREDIT_DAMAGE", "Your credit will be wrecked."),
    # ---------------------------------------------------------------- ASKING_REASON
    ("ASKING_REASON", "¿Y eso por qué no ha pagado?"),
    ("ASKING_REASON", "¿Por qué razón no consignó la cuota?"),  # CO
    ("ASKING_REASON", "¿Por qué no se ha puesto al día?"),
    ("ASKING_REASON", "¿Cómo así que no ha pagado?"),  # CO
    # ---------------------------------------------------------------- PERSONAL_ACCOUNT_PAYMENT
    ("PERSONAL_ACCOUNT_PAYMENT", "Consígneme a mi Nequi."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Hágame la transferencia a mi cuenta."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Me lo deposita a mi cuenta RUT."),  # CL
    ("PERSONAL_ACCOUNT_PAYMENT", "Just Zelle me the money."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Venmo me the balance today."),
    # ---------------------------------------------------------------- FALSE_URGENCY_OR_DECEPTION
    ("FALSE_URGENCY_OR_DECEPTION", "El actuario pasará mañana a su domicilio."),
]

NEGATIVE: list[tuple[str, str]] = [
    ("ARREST_THREAT", "Nadie lo va a detener por una deuda."),
    ("ARREST_THREAT", "No lo van a encanar por esto, quédese tranquilo."),
    ("ARREST_THREAT", "El pago fue detenido por el banco."),
    ("ARREST_THREAT", "Su trámite está detenido hasta recibir el documento."),
    ("ARREST_THREAT", "Nuestra oficina está frente a la comisaría."),
    ("ARREST_THREAT", "Puede denunciar ante la policía cualquier amenaza."),
    ("ARREST_THREAT", "Please put away your card after paying."),
    ("ARREST_THREAT", "You cannot go to jail for a debt."),
    ("ARREST_THREAT", "Nobody will arrest you over this."),
    ("ARREST_THREAT", "El sistema se detendrá el domingo por mantenimiento."),
    ("CRIMINAL_ACCUSATION", "Una deuda no es un delito."),
    ("CRIMINAL_ACCUSATION", "Si fue víctima de fraude, denúncielo ante la policía."),
    ("SEIZURE_THREAT", "Solo un juez puede ordenar un embargo, previa sentencia."),
    ("SEIZURE_THREAT", "No perderá su casa si firma el convenio."),
    ("SEIZURE_THREAT", "Puede retirar la tarjeta en la sucursal."),
    ("SEIZURE_THREAT", "If a court orders it, your wages could be garnished."),
    ("SEIZURE_THREAT", "We will not take your car."),
    ("FAKE_COURT_DOCUMENT", "AVISO DE EMBARGO: le recordamos su saldo."),
    ("FAKE_COURT_DOCUMENT", "Esta carta no es una notificación judicial."),
    ("AUTHORITY_IMPERSONATION", "Mañana pasamos con el actuario a embargarle la casa."),
    ("AUTHORITY_IMPERSONATION", "Puede presentar una queja ante la Superintendencia Financiera."),
    ("AUTHORITY_IMPERSONATION", "Estamos supervisados por la CMF."),
    ("AUTHORITY_IMPERSONATION", "Si desea, consulte al Banco de España."),
    ("AUTHORITY_IMPERSONATION", "You can contact the CFPB with any complaint."),
    ("INSULT", "Lo pondremos en la lista de morosos."),
    ("INSULT", "Publicaremos su foto con la leyenda MOROSO."),
    ("INSULT", "Que todo el barrio sepa que sos un moroso."),
    ("INSULT", "Su cuenta está morosa desde marzo."),
    ("INSULT", "El deudor es un moroso habitual según el buró."),
    ("INSULT", "Ofrecemos planes para clientes morosos."),
    ("INTIMIDATION", "Le llamaremos cada semana para recordarle su fecha de pago."),
    ("INTIMIDATION", "Conocemos su situación y queremos ayudarle."),
    ("PUBLIC_SHAMING", "Su pago será publicado en su estado de cuenta."),
    ("PUBLIC_SHAMING", "Verá el aviso en la puerta de nuestra sucursal."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "Puede hablar con su familia antes de decidir."),
    ("THIRD_PARTY_DISCLOSURE_THREAT", "We will never call your employer."),
    ("PERSONAL_ACCOUNT_PAYMENT", "Transfiera a la cuenta de la empresa, nunca a una cuenta personal."),
    ("PERMANENT_CREDIT_DAMAGE", "La información negativa se borra a los cinco años."),
]


@pytest.mark.parametrize(("signal", "text"), POSITIVE)
def test_breadth_detects(signal: str, text: str) -> None:
    assert signal in signals(text), (text, detect(text))


@pytest.mark.parametrize(("signal", "text"), NEGATIVE)
def test_breadth_look_alikes_stay_clean(signal: str, text: str) -> None:
    assert signal not in signals(text), (text, detect(text))
